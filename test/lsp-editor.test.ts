// What the editor UI reads from the server over a real LSP connection: code lenses above serializers,
// the process map (chokepoint/serializers), the serializer under the cursor, the "Run the process
// checklist" code action, and the notification that tells the map to refresh.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens } from 'vscode-languageserver-protocol';
import type { SerializerInfo } from '../server/src/lsp/process-map';
import { WORKSPACE } from './helpers';
import { LspClient } from './lsp-client';

const uriOf = (file: string) => pathToFileURL(file).href;
const RUN = 'chokepoint.runChecklist';

describe('editor requests', () => {
  let dir: string;
  let client: LspClient;
  let bare: LspClient;
  const store = () => path.join(dir, 'lib/shop/user_store.ex');
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-editor-'));
    fs.cpSync(WORKSPACE, dir, { recursive: true });
    client = await LspClient.start(dir, { debounceMs: 0, clientCommands: [RUN] });
    bare = await LspClient.start(dir, { debounceMs: 0 });
    await Promise.all([client.whenIndexed(), bare.whenIndexed()]);
  });
  after(async () => {
    await Promise.all([client.stop(), bare.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a code lens above a singleton sums it up and runs the checklist', async () => {
    const uri = uriOf(store());
    await client.open(uri, fs.readFileSync(store(), 'utf8'));
    const lenses: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title]), [
      [0, 'singleton · 3 callers (3 on request paths) · checklist 0/4 · run it in the caller'],
      [0, 'Run checklist'],
    ]);
    assert.equal(lenses[1].command!.command, RUN);
    assert.deepEqual(lenses[1].command!.arguments, [{ uri, name: 'Shop.UserStore' }]);
  });

  test('a client without the checklist command gets the summary lens only, and no checklist action', async () => {
    const uri = uriOf(store());
    const text = fs.readFileSync(store(), 'utf8');
    await bare.open(uri, text);
    const lenses: CodeLens[] = await bare.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command!.command, '');
    const line = text.split('\n').findIndex((l) => l.includes('use GenServer'));
    const actions: CodeAction[] = await bare.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line, character: 2 }, end: { line, character: 2 } }, context: { diagnostics: [] },
    });
    assert.ok(!actions.some((a) => a.command?.command === RUN));
  });

  test('lenses of a per-entity server, a process that earns its place, and a TypeScript lock', async () => {
    const lensesOf = async (rel: string, languageId = 'elixir') => {
      const file = path.join(dir, rel);
      const uri = uriOf(file);
      client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') } });
      const lenses: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
      return lenses.filter((l) => l.command!.command === '').map((l) => l.command!.title);
    };
    assert.deepEqual(await lensesOf('lib/shop/cart.ex'), ['one process per key · 2 callers (2 on request paths) · checklist 1/4 · keep the process']);
    assert.deepEqual(await lensesOf('lib/shop/payment_gateway.ex'), ['singleton · 0 callers · checklist 4/4 · keep the process']);
    assert.deepEqual(await lensesOf('node/src/counters.ts', 'typescript'), ['module-level mutex · 1 critical section (0 on request paths) · checklist 0/4 · a plain module']);
  });

  test('the process map lists every serializer of the workspace with its verdict, callers and evidence', async () => {
    const all: SerializerInfo[] = await client.connection.sendRequest('chokepoint/serializers', {});
    const byLabel = new Map(all.map((s) => [s.label, s]));
    assert.ok(all.length >= 25, `only ${all.length} serializers`);
    const store = byLabel.get('Shop.UserStore')!;
    assert.equal(store.kind, 'GenServer');
    assert.equal(store.registration, 'singleton, name: __MODULE__');
    assert.deepEqual([store.callers.count, store.callers.onRequestPaths], [3, 3]);
    assert.ok(store.callers.shown.every((e) => e.uri.endsWith('user_controller.ex') || e.uri.includes('/live/')), JSON.stringify(store.callers.shown));
    assert.equal(store.supervision?.supervised, true);
    assert.match(store.supervision!.where[0].why, /child of Shop\.Application/);
    assert.deepEqual(store.checklist.answers.map((a) => a.answer), ['no', 'no', 'no', 'no']);
    assert.ok(store.checklist.answers[0].evidence.length > 0, 'shared state "no" names the callbacks that only read it');
    assert.equal(store.choice, 'in-caller');
    assert.ok(store.findings.some((f) => f.ruleId === 'repo-in-server'));
    // Decisions across the fixture: each verdict of the wizard is reached by some server.
    const choices = Object.fromEntries(['Shop.PriceFormatter', 'Shop.StoreSettings', 'Shop.RecentlyViewed', 'Shop.Cart', 'Shop.PaymentGateway', 'sessionsLock', 'counterLock']
      .map((label) => [label, byLabel.get(label)?.choice]));
    assert.deepEqual(choices, {
      'Shop.PriceFormatter': 'plain-module', 'Shop.StoreSettings': 'shared-reads', 'Shop.RecentlyViewed': 'per-entity', 'Shop.Cart': 'keep',
      'Shop.PaymentGateway': 'keep', sessionsLock: 'per-entity', counterLock: 'plain-module',
    });
    assert.equal(byLabel.get('Shop.Cart')!.singleton, false);
    assert.equal(byLabel.get('Shop.ImportProgress')!.supervision?.supervised, false);
  });

  test('the serializer at a position: inside its module, or at a call site that reaches it', async () => {
    const controller = path.join(dir, 'lib/shop_web/controllers/user_controller.ex');
    const text = fs.readFileSync(controller, 'utf8');
    await client.open(uriOf(controller), text);
    const line = text.split('\n').findIndex((l) => l.includes('UserStore.list_active()'));
    const atCall: SerializerInfo | null = await client.connection.sendRequest('chokepoint/serializerAt', { uri: uriOf(controller), position: { line, character: text.split('\n')[line].indexOf('list_active') } });
    // A client function call is not a raw server call: the controller itself is no serializer.
    assert.equal(atCall, null);
    const inside: SerializerInfo | null = await client.connection.sendRequest('chokepoint/serializerAt', { uri: uriOf(store()), position: { line: 43, character: 4 } });
    assert.equal(inside?.name, 'Shop.UserStore');
    const byName: SerializerInfo | null = await client.connection.sendRequest('chokepoint/serializerAt', { uri: uriOf(store()), name: 'Shop.UserStore' });
    assert.equal(byName?.choice, 'in-caller');
    // A raw GenServer.call in a LiveView reaches the server in another file.
    const live = path.join(dir, 'lib/shop_web/live/product_live.ex');
    const liveText = fs.readFileSync(live, 'utf8');
    await client.open(uriOf(live), liveText);
    const callLine = liveText.split('\n').findIndex((l) => /GenServer\.call\(RecentlyViewed/.test(l));
    const viaCall: SerializerInfo | null = await client.connection.sendRequest('chokepoint/serializerAt', { uri: uriOf(live), position: { line: callLine, character: liveText.split('\n')[callLine].indexOf('GenServer.call') } });
    assert.equal(viaCall?.name, 'Shop.RecentlyViewed');
    assert.equal(viaCall?.choice, 'per-entity');
  });

  test('a code action on the serializer runs the checklist for it', async () => {
    const uri = uriOf(store());
    const text = fs.readFileSync(store(), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('use GenServer'));
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line, character: 2 }, end: { line, character: 2 } }, context: { diagnostics: [] },
    });
    const run = actions.find((a) => a.command?.command === RUN);
    assert.equal(run?.title, 'Run the process checklist for Shop.UserStore');
    assert.equal(run?.kind, 'refactor');
    assert.deepEqual(run?.command?.arguments, [{ uri, name: 'Shop.UserStore' }]);
    const elsewhere: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 30, character: 0 }, end: { line: 30, character: 0 } }, context: { diagnostics: [] },
    });
    assert.ok(!elsewhere.some((a) => a.command?.command === RUN), 'not offered on every line of the module');
  });

  test('an edit that changes callers tells the client to refresh the map once, and the map follows', async () => {
    const controller = path.join(dir, 'lib/shop_web/controllers/user_controller.ex');
    const text = fs.readFileSync(controller, 'utf8');
    let notified = 0;
    const subscription = client.connection.onNotification('chokepoint/indexChanged', () => notified++);
    try {
      const line = text.split('\n').findIndex((l) => l.includes('UserStore.list_active()'));
      await client.change(uriOf(controller), [{ range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' }]);
      await new Promise((resolve) => setTimeout(resolve, 800));
      assert.equal(notified, 1);
      const all: SerializerInfo[] = await client.connection.sendRequest('chokepoint/serializers', {});
      assert.equal(all.find((s) => s.label === 'Shop.UserStore')!.callers.count, 2);
    } finally {
      subscription.dispose();
    }
  });
});

describe('code actions for two findings on one line', () => {
  test('a fix offered by both findings is listed once, for both diagnostics', async () => {
    const client = await LspClient.start(WORKSPACE, { debounceMs: 0 });
    try {
      await client.whenIndexed();
      const file = path.join(WORKSPACE, 'lib/shop/user_store.ex');
      const uri = uriOf(file);
      const diagnostics = await client.open(uri, fs.readFileSync(file, 'utf8'));
      const onUse = diagnostics.filter((d) => d.range.start.line === 7);
      assert.deepEqual(onUse.map((d) => d.code).sort(), ['repo-in-server', 'stateless-server']);
      const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: onUse[0].range, context: { diagnostics: onUse } });
      const plain = actions.filter((a) => a.title === 'Turn Shop.UserStore into a plain module');
      assert.equal(plain.length, 1, actions.map((a) => a.title).join(' | '));
      assert.deepEqual(plain[0].diagnostics!.map((d) => d.code).sort(), ['repo-in-server', 'stateless-server']);
      // Suppressions differ per rule: both stay.
      assert.equal(actions.filter((a) => /^Disable .* for this line$/.test(a.title)).length, 2);
    } finally {
      await client.stop();
    }
  });
});

describe('virtual and untitled documents', () => {
  test('an untitled buffer and a file of a virtual workspace are analysed one by one, with hover, lens and map', async () => {
    const client = await LspClient.start(null, { debounceMs: 0, clientCommands: [RUN] });
    try {
      const text = fs.readFileSync(path.join(WORKSPACE, 'lib/shop/price_formatter.ex'), 'utf8');
      for (const uri of ['untitled:Untitled-1', 'vscode-vfs://github/acme/shop/lib/shop/price_formatter.ex']) {
        const diagnostics = await client.open(uri, text);
        assert.deepEqual(diagnostics.map((d) => d.code), ['stateless-server'], uri);
        const line = text.split('\n').findIndex((l) => l.includes('use GenServer'));
        const hover = await client.hover(uri, { line, character: 8 });
        assert.match(JSON.stringify(hover), /Process checklist: 0\/4/, uri);
        const lenses: CodeLens[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        assert.match(lenses[0].command!.title, /^singleton · 0 callers · checklist 0\/4 · a plain module$/, uri);
      }
      const all: SerializerInfo[] = await client.connection.sendRequest('chokepoint/serializers', {});
      assert.deepEqual(all.map((s) => s.uri).sort(), ['untitled:Untitled-1', 'vscode-vfs://github/acme/shop/lib/shop/price_formatter.ex']);
      assert.equal(client.exited, false);
    } finally {
      await client.stop();
    }
  });
});

test('in a TypeScript file with two locks, the serializer at a position is the one whose section holds it', async () => {
  const client = await LspClient.start(null, { debounceMs: 0 });
  try {
    const text = [
      "import { Mutex } from 'async-mutex';",
      'const first = new Mutex();',
      'const second = new Mutex();',
      'let a = 0;',
      'let b = 0;',
      'export function bumpA(): Promise<number> {',
      '  return first.runExclusive(() => { a += 1; return a; });',
      '}',
      'export function bumpB(): Promise<number> {',
      '  return second.runExclusive(() => { b += 1; return b; });',
      '}',
      '',
    ].join('\n');
    const uri = 'file:///virtual/two-locks.ts';
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    const at = (line: number, character: number) => client.connection.sendRequest<SerializerInfo | null>('chokepoint/serializerAt', { uri, position: { line, character } });
    assert.equal((await at(6, 40))?.label, 'first');
    assert.equal((await at(9, 40))?.label, 'second');
    assert.equal((await at(2, 8))?.label, 'second');
    assert.equal((await at(1, 8))?.label, 'first');
  } finally {
    await client.stop();
  }
});
