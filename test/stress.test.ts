// The server and the CLI under load and odd input at the sizes editors meet: a burst of 1,000 changes,
// a 10 MB file, 5,000-deep nesting, a byte order mark, invalid UTF-8 on disk.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, LSPErrorCodes, type Diagnostic } from 'vscode-languageserver-protocol';
import { pathToFileURL } from 'node:url';
import { ROOT, WORKSPACE } from './helpers';
import { LspClient } from './lsp-client';

const USER_STORE = path.join(WORKSPACE, 'lib/shop/user_store.ex');
const ORDERS = path.join(WORKSPACE, 'node/src/orders.ts');
const COUNTERS = path.join(WORKSPACE, 'node/src/counters.ts');
const keys = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort();
const shape = (diagnostics: Diagnostic[]) => diagnostics.map((d) => ({ range: d.range, code: d.code, message: d.message }));

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function assertInside(text: string, diagnostics: Diagnostic[]): void {
  const lines = text.split(/\r\n|\r|\n/);
  for (const { range } of diagnostics) {
    for (const p of [range.start, range.end]) assert.ok(p.line < lines.length && p.character <= lines[p.line].length, `${JSON.stringify(range)} outside the text`);
  }
}

describe('LSP stress', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start(null);
  });
  after(() => client.stop());

  test('1,000 incremental changes in a burst end in the diagnostics of the last version, and hover answers', async () => {
    const uri = 'file:///stress/burst/user_store.ex';
    let text = fs.readFileSync(USER_STORE, 'utf8');
    await client.open(uri, text);
    // Someone types a new callback into the server, a character at a time, with a backspace now and then.
    const typed = '  def handle_call({:count, "😀"}, _from, state), do: {:reply, Repo.aggregate(User, :count), state}\n';
    let at = text.indexOf('  # Client API');
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    let version = 1;
    // At least 1,000 changes, ending when a line is complete.
    for (let sent = 0, i = 0; sent < 1000 || i % typed.length !== 0; sent++) {
      const backspace = i > 0 && random(5) === 0;
      if (backspace) {
        const width = /[\uDC00-\uDFFF]/.test(text[at - 1]) ? 2 : 1;
        const range = { start: positionOf(text, at - width), end: positionOf(text, at) };
        text = text.slice(0, at - width) + text.slice(at);
        at -= width;
        i -= width;
        version = client.changeNoWait(uri, [{ range, text: '' }]);
      } else {
        const ch = typed.codePointAt(i % typed.length)! > 0xffff ? typed.slice(i % typed.length, (i % typed.length) + 2) : typed[i % typed.length];
        const position = positionOf(text, at);
        text = text.slice(0, at) + ch + text.slice(at);
        at += ch.length;
        i += ch.length;
        version = client.changeNoWait(uri, [{ range: { start: position, end: position }, text: ch }]);
      }
    }
    assert.ok(version > 1000);
    const last = await client.diagnosticsFor(uri, version);
    assertInside(text, last);
    const fresh = await client.open('file:///stress/burst-fresh/user_store.ex', text);
    client.close('file:///stress/burst-fresh/user_store.ex');
    assert.deepEqual(shape(last), shape(fresh));
    assert.ok(last.filter((d) => d.code === 'repo-in-server').length >= 5, JSON.stringify(keys(last)));
    const line = text.split('\n').findIndex((l) => /use GenServer/.test(l));
    const hover = await client.hover(uri, { line, character: text.split('\n')[line].indexOf('GenServer') + 2 });
    assert.match((hover?.contents as { value: string }).value, /Process checklist/);
    client.close(uri);
  });

  test('a 10 MB file gets one information diagnostic, shrinking it brings the analysis back, and the server stays up', async () => {
    const server = fs.readFileSync(USER_STORE, 'utf8');
    const padding = `# ${'x'.repeat(10 * 1024 * 1024)}\n`;
    for (const [uri, big] of [['file:///stress/ten.ex', padding + server], ['file:///stress/ten.ts', `// ${'x'.repeat(10 * 1024 * 1024)}\n${fs.readFileSync(ORDERS, 'utf8')}`]]) {
      assert.ok(big.length > 10 * 1024 * 1024);
      const diagnostics = await client.open(uri, big);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      assert.equal(diagnostics[0].severity, 3);
      assert.match(diagnostics[0].message, /skipped this file: it is 10\.0 MB/);
      assert.equal(await client.hover(uri, { line: 1, character: 3 }), null);
    }
    // Delete the padding line with an incremental change: the file is analysed again.
    const after = await client.change('file:///stress/ten.ex', [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    assert.ok(after.some((d) => d.code === 'repo-in-server'), JSON.stringify(keys(after)));
    // And it grows past the limit again by a change that inserts 10 MB.
    const again = await client.change('file:///stress/ten.ex', [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: padding }]);
    assert.equal(again.length, 1);
    client.close('file:///stress/ten.ex');
    client.close('file:///stress/ten.ts');
    assert.equal(client.exited, false);
  });

  test('5,000-deep nesting: Elixir [[[…]]] and TypeScript (((…))), alone and inside a serializer', async () => {
    const nest = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;
    const serverFile = (body: string) => `defmodule Shop.Deep do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call(:x, _f, s), do: {:reply, {Shop.Repo.all(X), ${body}}, s}
end
`;
    const lockFile = (body: string) => `import { Mutex } from 'async-mutex';
const lock = new Mutex();
export function deep(): Promise<number> {
  return lock.runExclusive(() => ${body});
}
`;
    const SERVER = ['1:repo-in-server', '1:stateless-server', '3:repo-in-server'];
    const LOCK = ['3:lock-without-await'];
    // Alone, nothing to find. Inside a GenServer the Elixir front end walks trees without recursion, so
    // 5,000 levels still give every finding; 5,000 levels are deeper than the TypeScript parser goes (its
    // stack overflows near 1,000): that version's analysis fails, and the server says so with empty
    // diagnostics for it instead of going quiet.
    const cases: { uri: string; text: string; expected: string[] | 'any' }[] = [
      { uri: 'file:///stress/deep.ex', text: nest(5000, '[', ']'), expected: [] },
      { uri: 'file:///stress/deep.ts', text: nest(5000, '(', ')'), expected: [] },
      { uri: 'file:///stress/deep-server.ex', text: serverFile(nest(5000, '[', ']')), expected: SERVER },
      { uri: 'file:///stress/deep-lock.ts', text: lockFile(nest(5000, '(', ')')), expected: [] },
      { uri: 'file:///stress/deepish-server.ex', text: serverFile(nest(1000, '[', ']')), expected: SERVER },
      { uri: 'file:///stress/deepish-lock.ts', text: lockFile(nest(500, '(', ')')), expected: LOCK },
    ];
    for (const { uri, text, expected } of cases) {
      const diagnostics = await client.open(uri, text);
      assertInside(text, diagnostics);
      if (expected !== 'any') assert.deepEqual(keys(diagnostics), expected, uri);
      else assert.ok(keys(diagnostics).every((k) => SERVER.includes(k)), `${uri}: ${keys(diagnostics)}`);
      assert.ok(await client.hover(uri, { line: 0, character: 0 }) !== undefined);
    }
    // An edit back to a reasonable depth brings the findings back.
    for (const [uri, open, close, expected] of [['file:///stress/deep-server.ex', '[', ']', SERVER], ['file:///stress/deep-lock.ts', '(', ')', LOCK]] as const) {
      const text = cases.find((c) => c.uri === uri)!.text;
      const line = text.split('\n')[3];
      const from = line.indexOf(nest(5000, open, close));
      const to = from + nest(5000, open, close).length;
      assert.ok(from > 0);
      const recovered = await client.change(uri, [{ range: { start: { line: 3, character: from }, end: { line: 3, character: to } }, text: nest(100, open, close) }]);
      assert.deepEqual(keys(recovered), expected, uri);
    }
    for (const { uri } of cases) client.close(uri);
    assert.equal(client.exited, false, client.stderr);
  });

  test('a byte order mark at the start: the same findings, columns on the first line counted with it', async () => {
    const oneLine = "import { Mutex } from 'async-mutex'; const lock = new Mutex(); export function f() { return lock.runExclusive(() => 1); }\n";
    for (const [name, text] of [['user_store.ex', fs.readFileSync(USER_STORE, 'utf8')], ['counters.ts', fs.readFileSync(COUNTERS, 'utf8')], ['one-line.ts', oneLine]]) {
      const plain = await client.open(`file:///stress/plain/${name}`, text);
      const bom = await client.open(`file:///stress/bom/${name}`, `\uFEFF${text}`);
      assert.ok(plain.length > 0, name);
      assertInside(`\uFEFF${text}`, bom);
      const shift = (p: { line: number; character: number }) => ({ line: p.line, character: p.character + (p.line === 0 ? 1 : 0) });
      assert.deepEqual(bom.map((d) => d.range), plain.map((d) => ({ start: shift(d.range.start), end: shift(d.range.end) })), name);
      assert.deepEqual(bom.map((d) => [d.code, d.message]), plain.map((d) => [d.code, d.message]), name);
      client.close(`file:///stress/plain/${name}`);
      client.close(`file:///stress/bom/${name}`);
    }
  });
});

describe('time budget', () => {
  test('a file that takes longer than the budget to parse gets one information diagnostic; a larger budget brings its findings back', async () => {
    // 1 ms cannot parse 2 MB (tree-sitter reads a few MB a second): the budget is what stops it.
    const client = await LspClient.start(null, { debounceMs: 0, timeBudgetMs: 1 });
    try {
      const server = fs.readFileSync(USER_STORE, 'utf8');
      const big = `${'# padding so that parsing takes a while\n'.repeat(50_000)}${server}`;
      const uri = 'file:///budget/user_store.ex';
      const diagnostics = await client.open(uri, big);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      assert.equal(diagnostics[0].severity, 3);
      assert.match(diagnostics[0].message, /^Chokepoint skipped this file: parsing it took longer than 1 ms \(chokepoint\.timeBudgetMs\)\.$/);
      // Requests on the same version get their answer at once (no new attempt), and the server is alive.
      assert.equal(await client.hover(uri, { line: 50_001, character: 3 }), null);
      const next = client.nextDiagnostics(uri);
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { chokepoint: { timeBudgetMs: 60_000 } } });
      const full = await next;
      assert.ok(full.some((d) => d.code === 'repo-in-server'), JSON.stringify(keys(full)));
      assert.ok(!full.some((d) => /skipped this file/.test(d.message)));
      assert.ok(client.log.some((line) => /budget\/user_store\.ex v1: parsing took longer than the time budget of 1 ms/.test(line)), client.log.join('\n'));
      assert.equal(client.exited, false);
    } finally {
      await client.stop();
    }
  });
});

describe('CLI stress', () => {
  const CLI = path.join(ROOT, 'dist', 'cli.js');
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  test('invalid UTF-8 opened from disk: exit 0 or 1, never a crash, and findings in the valid parts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-utf8-'));
    try {
      const server = fs.readFileSync(USER_STORE);
      const orders = fs.readFileSync(ORDERS);
      const BAD = [
        Buffer.from([0xff, 0xfe, 0xfd]), // never valid
        Buffer.from([0xc3]), // a truncated two-byte sequence
        Buffer.from([0xe2, 0x82]), // a truncated three-byte sequence
        Buffer.from([0xc0, 0xaf]), // an overlong '/'
        Buffer.from([0xed, 0xa0, 0x80]), // an encoded UTF-16 surrogate
        Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
        Buffer.from([0x80, 0xbf]), // lone continuation bytes
        Buffer.from([0x00]),
      ];
      const bad = Buffer.concat(BAD);
      const deep = (open: string, close: string) => Buffer.from(`${open.repeat(5000)}1${close.repeat(5000)}`);
      // Each file alone in its folder (copies of one module would shadow each other), with what it imports.
      const cases: { name: string; content: Buffer; rules: string[] }[] = [
        { name: 'garbage.ex', content: Buffer.concat([bad, bad, Buffer.from('defmodule'), bad]), rules: [] },
        { name: 'garbage.ts', content: Buffer.concat([bad, Buffer.from('export const x = '), bad]), rules: [] },
        { name: 'truncated.ex', content: Buffer.concat([server.subarray(0, 200), Buffer.from([0xe2, 0x82])]), rules: [] },
        // The bytes in a comment of the server and of the Node module: the findings stay.
        { name: 'user_store.ex', content: Buffer.concat([server.subarray(0, server.indexOf('  # Client API')), Buffer.from('  # '), bad, Buffer.from('\n'), server.subarray(server.indexOf('  # Client API'))]), rules: ['repo-in-server'] },
        { name: 'orders.ts', content: Buffer.concat([Buffer.from('// '), bad, Buffer.from('\n'), orders]), rules: ['pool-behind-lock'] },
        { name: 'bom-and-bad.ex', content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# '), bad, Buffer.from('\n'), server]), rules: ['repo-in-server'] },
        // Too deep for the TypeScript parser: skipped with a message, not an I/O error.
        { name: 'deep.ts', content: deep('(', ')'), rules: [] },
        { name: 'deep.ex', content: deep('[', ']'), rules: [] },
      ];
      for (const { name, content, rules } of cases) {
        const folder = path.join(dir, name.replace('.', '-'));
        fs.mkdirSync(folder);
        fs.writeFileSync(path.join(folder, name), content);
        fs.copyFileSync(path.join(WORKSPACE, 'node/src/db.ts'), path.join(folder, 'db.ts'));
        const result = run([path.join(folder, name), path.join(folder, 'db.ts'), '--format', 'json']);
        assert.ok(result.status === 0 || result.status === 1, `${name}: exit ${result.status} ${result.signal ?? ''}\n${result.stderr}`);
        assert.doesNotMatch(result.stderr, /\n\s+at /, `${name}: a stack trace on stderr`);
        const found = (JSON.parse(result.stdout) as { findings: { file: string; rule: string }[] }).findings.filter((f) => f.file.endsWith(name)).map((f) => f.rule);
        for (const rule of rules) assert.ok(found.includes(rule), `${name}: no ${rule} in ${JSON.stringify(found)}`);
        if (rules.length === 0) assert.deepEqual(found, [], name);
        const text = run([path.join(folder, name)]);
        assert.ok(text.status === 0 || text.status === 1, `${name} (text): exit ${text.status}\n${text.stderr}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LSP cancellation', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start(WORKSPACE);
    await client.whenIndexed();
  });
  after(() => client.stop());

  test('a process-map request cancelled while it runs stops and is answered "cancelled"; the next one is answered in full', async () => {
    // 500 servers: describing them all takes long enough that the cancel arrives while the request runs
    // (a request still queued would be cancelled by the JSON-RPC library, not by the server's own checks).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-cancel-'));
    fs.writeFileSync(path.join(dir, 'repo.ex'), 'defmodule Big.Repo do\n  use Ecto.Repo, otp_app: :big\nend\n');
    for (let i = 0; i < 500; i++) {
      fs.writeFileSync(path.join(dir, `server_${i}.ex`), `defmodule Big.Server${i} do\n  use GenServer\n  alias Big.Repo\n  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)\n  def get(id), do: GenServer.call(__MODULE__, {:get, id})\n  def init(nil), do: {:ok, nil}\n  def handle_call({:get, id}, _from, state), do: {:reply, Repo.get(Big.Item, id), state}\nend\n`);
    }
    const big = await LspClient.start(dir);
    try {
      await big.whenIndexed();
      const started = Date.now();
      const full: unknown[] = await big.connection.sendRequest('chokepoint/serializers', {});
      const fullMs = Date.now() - started;
      assert.equal(full.length, 500);
      const source = new CancellationTokenSource();
      const cancelled = big.connection.sendRequest('chokepoint/serializers', {}, source.token);
      setTimeout(() => source.cancel(), Math.min(50, fullMs / 4));
      await assert.rejects(cancelled, (error: { code?: number }) => error.code === LSPErrorCodes.RequestCancelled);
      const again: unknown[] = await big.connection.sendRequest('chokepoint/serializers', {});
      assert.equal(again.length, 500);
    } finally {
      await big.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hovers cancelled in a burst end cancelled or answered, and the server keeps answering', async () => {
    const uri = pathToFileURL(USER_STORE).href;
    await client.open(uri, fs.readFileSync(USER_STORE, 'utf8'));
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => {
      const source = new CancellationTokenSource();
      const request = client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 7, character: 8 } }, source.token);
      source.cancel();
      return request.then(() => 'answered', (error: { code?: number }) => (error.code === LSPErrorCodes.RequestCancelled ? 'cancelled' : `error ${error.code}`));
    }));
    assert.deepEqual([...new Set(outcomes)].filter((o) => o !== 'answered' && o !== 'cancelled'), []);
    assert.ok(outcomes.includes('cancelled'));
    const hover = await client.hover(uri, { line: 7, character: 8 });
    assert.match(JSON.stringify(hover), /Process checklist/);
  });
});
