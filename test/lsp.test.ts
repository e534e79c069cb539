// The server as an editor sees it: dist/server.js --stdio driven by a real JSON-RPC client.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ts } from 'ts-morph';
import { applyEdits, LspClient } from './lsp-client';
import { elixirRejects, expectations, WORKSPACE, workspaceFiles } from './helpers';

const uriOf = (file: string) => pathToFileURL(file).href;
const keys = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort();
const USER_STORE = path.join(WORKSPACE, 'lib/shop/user_store.ex');

describe('test-workspace over LSP', () => {
  let client: LspClient;
  const opened = new Map<string, Diagnostic[]>();

  before(async () => {
    client = await LspClient.start(WORKSPACE);
    await client.whenIndexed();
    for (const file of workspaceFiles()) opened.set(file, await client.open(uriOf(file), fs.readFileSync(file, 'utf8')));
  });
  after(() => client.stop());

  test('every file reports exactly its # expect: comments', () => {
    assert.ok(opened.size >= 20, `expected the whole fixture app, got ${opened.size} files`);
    let total = 0;
    for (const [file, diagnostics] of opened) {
      const want = expectations(fs.readFileSync(file, 'utf8'));
      total += want.length;
      assert.deepEqual(keys(diagnostics), want, `${path.relative(WORKSPACE, file)}:\n${diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n')}`);
    }
    assert.ok(total >= 20, `the fixtures should expect many findings, got ${total}`);
    for (const rule of ['repo-in-server', 'stateless-server', 'blocking-callback', 'self-call']) {
      assert.ok([...opened.values()].flat().some((d) => d.code === rule), `no ${rule} finding in the fixtures`);
    }
  });

  test('diagnostics carry source, code, a docs link and related information', () => {
    const diagnostics = opened.get(USER_STORE)!;
    const summary = diagnostics.find((d) => d.code === 'repo-in-server' && /serializes every database query/.test(d.message))!;
    assert.match(summary.message, /^Shop\.UserStore serializes every database query through one process: Ecto's connection pool is reduced to one query at a time/);
    for (const d of [...opened.values()].flat()) {
      assert.equal(d.source, 'chokepoint');
      const href = d.codeDescription?.href ?? '';
      assert.ok(href.endsWith(`/docs/rules/${d.code}.md`), href);
      assert.ok(fs.existsSync(fileURLToPath(href)), `docs page missing: ${href}`);
    }
    const queries = summary.relatedInformation!.filter((i) => i.location.uri === uriOf(USER_STORE));
    const callers = summary.relatedInformation!.filter((i) => i.location.uri !== uriOf(USER_STORE));
    assert.ok(queries.length >= 2);
    for (const info of queries) assert.match(info.message, /handle_c(all|ast).*Repo\./);
    // The callers, from other files: the controller's actions are on request paths.
    assert.match(summary.message, /Called from 3 places, 3 on request paths\.$/);
    assert.ok(callers.length === 3 && callers.every((i) => /user_controller\.ex$/.test(i.location.uri) && /^called on a request path from UserController\.(index|show)\/2 via Shop\.UserStore\./.test(i.message)), JSON.stringify(callers));
  });

  test('hover on use GenServer answers the four questions with evidence lines', async () => {
    const text = fs.readFileSync(USER_STORE, 'utf8');
    const line = text.split('\n').findIndex((l) => /use GenServer/.test(l));
    const hover = await client.hover(uriOf(USER_STORE), { line, character: text.split('\n')[line].indexOf('GenServer') + 2 });
    const value = (hover?.contents as { value: string }).value;
    for (const q of ['Shared state', 'Concurrency', 'Lifecycle', 'Communication']) assert.match(value, new RegExp(q));
    assert.match(value, /Shop\\\.UserStore/);
    assert.match(value, /Adopting Elixir \\\(Ben Marx, José Valim, Bruce Tate\\\)/);
    assert.match(value, /\[line \d+\]\(file:.*user_store\.ex#L\d+\)/);
    assert.match(value, /verdict: \*\*run it in the caller\*\*/);
    assert.match(value, /Why: it answers none of the four questions[^\n]*The callbacks query the database/);
    assert.match(value, /`repo-in-server` ×5/);
  });

  test('hover on the module name and on a GenServer.call site', async () => {
    const text = fs.readFileSync(USER_STORE, 'utf8').split('\n');
    const defLine = text.findIndex((l) => l.startsWith('defmodule'));
    const onName = await client.hover(uriOf(USER_STORE), { line: defLine, character: 12 });
    assert.match((onName?.contents as { value: string }).value, /Process checklist: \d\/4/);
    const callLine = text.findIndex((l) => /GenServer\.call\(__MODULE__/.test(l));
    const onCall = await client.hover(uriOf(USER_STORE), { line: callLine, character: text[callLine].indexOf('GenServer.call') + 3 });
    const value = (onCall?.contents as { value: string }).value;
    assert.match(value, /`GenServer\.call` waits for `Shop\.UserStore`/);
    assert.match(value, /Process checklist/);
    const nothing = await client.hover(uriOf(USER_STORE), { line: 0, character: 0 });
    assert.equal(nothing, null);
  });

  test('a hover on a call names the server it reaches, by registered or global name, across files', async () => {
    const uri = 'file:///elsewhere/report.ex';
    const text = 'defmodule Shop.Report do\n  def run, do: {GenServer.call(Shop.Audit, :stats), GenServer.call({:global, :stock_keeper}, {:available, 1})}\nend\n';
    await client.open(uri, text);
    const line = text.split('\n')[1];
    const audit = await client.hover(uri, { line: 1, character: line.indexOf('GenServer.call(Shop.Audit') + 3 });
    assert.match((audit?.contents as { value: string }).value, /`GenServer\.call` waits for `Shop\.Audit`\. It reaches `Shop\.AuditLog`, whose verdict is: \*\*run it in the caller[\s\S]*\*\*Shop\\\.AuditLog\*\*[\s\S]*Callers: [\s\S]*Supervision: child of `Shop\.Application`[\s\S]*Process checklist/);
    const stock = await client.hover(uri, { line: 1, character: line.indexOf('GenServer.call({:global') + 3 });
    assert.match((stock?.contents as { value: string }).value, /\*\*Shop\\\.Warehouse\\\.StockKeeper\*\* — GenServer, cluster-wide singleton/);
    client.close(uri);
  });

  test('every finding offers a suppression whose output parses (Elixir, TypeScript) and that silences it', async () => {
    const outputs: string[] = [];
    const typescriptOutputs: string[] = [];
    let checked = 0;
    for (const [file, diagnostics] of opened) {
      if (diagnostics.length === 0) continue;
      const uri = uriOf(file);
      const original = fs.readFileSync(file, 'utf8');
      for (const diagnostic of diagnostics) {
        const actions = await client.codeActions(uri, [diagnostic]);
        const action = actions.find((a) => a.title === `Disable ${diagnostic.code} for this line`);
        assert.ok(action, `no suppression for ${diagnostic.code} at ${file}:${diagnostic.range.start.line + 1}`);
        assert.equal(action.kind, 'quickfix');
        const edited = applyEdits(original, action.edit!.changes![uri]);
        const inserted = edited.split('\n')[diagnostic.range.start.line];
        const isTypeScript = /\.[cm]?[jt]sx?$/.test(file);
        assert.match(inserted, new RegExp(`^\\s*${isTypeScript ? '//' : '#'} chokepoint-disable-next-line ${diagnostic.code}$`));
        assert.equal(/^\s*/.exec(inserted)![0], /^\s*/.exec(original.split('\n')[diagnostic.range.start.line])![0], 'same indentation as the flagged line');
        (isTypeScript ? typescriptOutputs : outputs).push(edited);
        const after = await client.change(uri, [{ text: edited }]);
        const moved = diagnostics.filter((d) => d !== diagnostic).map((d) => `${d.range.start.line + (d.range.start.line >= diagnostic.range.start.line ? 1 : 0)}:${d.code}`).sort();
        assert.deepEqual(keys(after), moved, `suppressing ${diagnostic.code} at line ${diagnostic.range.start.line + 1} of ${file}`);
        await client.change(uri, [{ text: original }]);
        checked++;
      }
    }
    assert.ok(checked >= 20);
    assert.deepEqual(elixirRejects(outputs), []);
    assert.ok(typescriptOutputs.length >= 10);
    for (const text of typescriptOutputs) {
      const { diagnostics } = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
      assert.deepEqual(diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
    }
  });
});

describe('editing and bad input', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start(null);
  });
  after(() => client.stop());

  const server = (body: string) => `defmodule Shop.S do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
${body}
end
`;

  test('incremental edits end in the same diagnostics as a fresh open', async () => {
    const original = fs.readFileSync(USER_STORE, 'utf8');
    const uri = 'file:///edits/user_store.ex';
    await client.open(uri, original);
    let text = original;
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const offsetToPosition = (t: string, offset: number) => {
      const before = t.slice(0, offset).split('\n');
      return { line: before.length - 1, character: before[before.length - 1].length };
    };
    for (let i = 0; i < 60; i++) {
      const start = random(text.length);
      const end = Math.min(text.length, start + random(6));
      const insert = ['', 'x', 'Repo.all(Y)\n', ' do', 'end', '😀', '"', '(', '\r\n'][random(9)];
      const range = { start: offsetToPosition(text, start), end: offsetToPosition(text, end) };
      text = text.slice(0, start) + insert + text.slice(end);
      if (i % 10 === 9) await client.change(uri, [{ range, text: insert }]);
      else client.changeNoWait(uri, [{ range, text: insert }]);
    }
    const final = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    const fresh = await client.open('file:///edits/fresh.ex', text);
    assert.deepEqual(final.map((d) => [d.range, d.code, d.message]), fresh.map((d) => [d.range, d.code, d.message]));
  });

  test('a burst of changes ends with diagnostics for the last version', async () => {
    const uri = 'file:///edits/burst.ex';
    await client.open(uri, server(''));
    let version = 0;
    for (let i = 0; i < 200; i++) {
      version = client.changeNoWait(uri, [{ text: server(i % 2 ? '' : '  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}') }]);
    }
    const last = await client.change(uri, [{ text: server('  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}') }]);
    assert.ok(version > 0);
    assert.deepEqual(keys(last), ['1:repo-in-server', '1:stateless-server', '3:repo-in-server']);
  });

  test('UTF-16 columns after emoji and combining characters, with CRLF line ends', async () => {
    const line = '  def handle_call(:x, _f, s), do: {:reply, {"😀 é café", Shop.Repo.all(X)}, s}';
    const text = server(line).replace(/\n/g, '\r\n');
    const diagnostics = await client.open('file:///bad/utf16.ex', text);
    const query = diagnostics.find((d) => d.range.start.line === 3)!;
    assert.ok(query, JSON.stringify(diagnostics));
    assert.equal(query.range.start.character, line.indexOf('Shop.Repo.all'));
    assert.equal(query.range.end.character, line.indexOf('(X)') + 3);
    const summary = diagnostics.find((d) => d.range.start.line === 1)!;
    assert.deepEqual(summary.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 15 } });
  });

  test('empty, binary, half-typed and huge files get answers and the server stays up', async () => {
    assert.deepEqual(await client.open('file:///bad/empty.ex', ''), []);
    let junk = '';
    for (let i = 0; i < 5000; i++) junk += String.fromCharCode((i * 7919) % 0xd7ff);
    assert.ok(Array.isArray(await client.open('file:///bad/junk.ex', junk)));
    const full = fs.readFileSync(USER_STORE, 'utf8');
    for (let cut = 50; cut < full.length; cut += 97) {
      assert.ok(Array.isArray(await client.change('file:///bad/junk.ex', [{ text: full.slice(0, cut) }])));
    }
    assert.ok(Array.isArray(await client.open('file:///bad/deep.ex', `${'['.repeat(3000)}${']'.repeat(3000)}`)));
    assert.ok(Array.isArray(await client.open('file:///bad/replacement.ex', server('  # \uFFFD\uFFFD invalid bytes decoded\n  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}'))));

    // 2 MB of modules with one finding at the end: found, on the right line.
    const filler = Array.from({ length: 46000 }, (_, i) => `defmodule Filler${i} do\n  def f(x), do: x + ${i}\nend\n`).join('');
    const big = filler + server('  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}');
    assert.ok(big.length > 2_000_000);
    const bigDiagnostics = await client.open('file:///bad/big.ex', big);
    const fillerLines = filler.split('\n').length - 1;
    assert.deepEqual(keys(bigDiagnostics), [`${fillerLines + 1}:repo-in-server`, `${fillerLines + 1}:stateless-server`, `${fillerLines + 3}:repo-in-server`]);

    const hover = await client.hover('file:///bad/big.ex', { line: fillerLines + 1, character: 5 });
    assert.ok(hover, 'server still answers');
    assert.equal(client.exited, false);
  });

  test('inside a multi-line string only the file-level suppression is offered, and it parses', async () => {
    const uri = 'file:///edits/heredoc.ex';
    const text = server('  def handle_call(:report, _f, s) do\n    {:reply, """\n    Users: #{length(Shop.Repo.all(User))}\n    """, s}\n  end');
    const diagnostics = await client.open(uri, text);
    const inString = diagnostics.find((d) => d.range.start.line === 5)!;
    assert.ok(inString, JSON.stringify(diagnostics.map((d) => d.range.start)));
    const actions = await client.codeActions(uri, [inString]);
    assert.deepEqual(actions.map((a) => a.title), ['Disable repo-in-server for the entire file']);
    const edited = applyEdits(text, actions[0].edit!.changes![uri]);
    assert.deepEqual(elixirRejects([edited]), []);
    assert.deepEqual(keys(await client.change(uri, [{ text: edited }])).filter((k) => k.endsWith('repo-in-server')), []);
  });

  test('a file above the size limit gets one information diagnostic', async () => {
    const huge = `# ${'x'.repeat(9 * 1024 * 1024)}\n`;
    const diagnostics = await client.open('file:///bad/huge.ex', huge);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].severity, 3);
    assert.match(diagnostics[0].message, /skipped this file.*8 MB/);
  });
});

describe('workspace index', () => {
  test('a repo module created on disk is picked up from didChangeWatchedFiles', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-ws-'));
    const server = path.join(dir, 'stock.ex');
    fs.writeFileSync(server, `defmodule Shop.Stock do
  use GenServer
  alias Shop.Warehouse.Database
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call({:get, sku}, _from, state), do: {:reply, Database.get(Item, sku), Map.put(state, sku, true)}
end
`);
    const client = await LspClient.start(dir);
    try {
      await client.whenIndexed();
      assert.deepEqual(await client.open(uriOf(server), fs.readFileSync(server, 'utf8')), []);
      const database = path.join(dir, 'database.ex');
      fs.writeFileSync(database, 'defmodule Shop.Warehouse.Database do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\nend\n');
      const next = client.nextDiagnostics(uriOf(server));
      client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(database), type: 1 }] });
      assert.deepEqual(keys(await next), ['1:repo-in-server', '4:repo-in-server']);
      fs.rmSync(database);
      const gone = client.nextDiagnostics(uriOf(server));
      client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(database), type: 3 }] });
      assert.deepEqual(await gone, []);
    } finally {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('settings', () => {
  test('initializationOptions turn rules off and change severities', async () => {
    const client = await LspClient.start(null, { debounceMs: 0, rules: { 'repo-in-server': 'error', 'stateless-server': 'off' } });
    try {
      const text = fs.readFileSync(USER_STORE, 'utf8');
      const diagnostics = await client.open('file:///settings/user_store.ex', text);
      assert.ok(diagnostics.length > 0);
      assert.ok(diagnostics.every((d) => d.code === 'repo-in-server' && d.severity === 1));
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { chokepoint: { rules: { 'repo-in-server': 'off' } } } });
      const after = await client.change('file:///settings/user_store.ex', [{ text }]);
      assert.deepEqual(keys(after), expectations(text).filter((e) => e.endsWith('stateless-server')));
    } finally {
      assert.equal(await client.stop(), 0, 'shutdown + exit ends the server with status 0');
    }
  });
});
