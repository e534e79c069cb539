// Cross-file behaviour over a real LSP connection: an edit in one file changes diagnostics in another,
// hovers name callers and supervisors, and .chokepoint.json, settings and suppressions configure it all.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { elixirRejects, WORKSPACE } from './helpers';
import { applyEdits, LspClient } from './lsp-client';

const uriOf = (file: string) => pathToFileURL(file).href;
const keys = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort();

/** The first diagnostics published for `uri` that satisfy `ok` (other files' edits re-publish it several times). */
async function until(client: LspClient, uri: string, ok: (ds: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
  for (;;) {
    const next = await client.nextDiagnostics(uri);
    if (ok(next)) return next;
  }
}

/** A private copy of the fixture app, so tests can change files on disk. */
function copyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-xfile-'));
  fs.cpSync(WORKSPACE, dir, { recursive: true });
  return dir;
}

describe('edits across files', () => {
  let dir: string;
  let client: LspClient;
  let store: string;
  let controller: string;
  before(async () => {
    dir = copyWorkspace();
    client = await LspClient.start(dir);
    await client.whenIndexed();
    store = path.join(dir, 'lib/shop/user_store.ex');
    controller = path.join(dir, 'lib/shop_web/controllers/user_controller.ex');
  });
  after(async () => {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('removing a caller in a controller updates the server file; unnaming the server clears the controller', async () => {
    const storeText = fs.readFileSync(store, 'utf8');
    const controllerText = fs.readFileSync(controller, 'utf8');
    const storeDiagnostics = await client.open(uriOf(store), storeText);
    const summary = (ds: Diagnostic[]) => ds.find((d) => d.code === 'repo-in-server' && /serializes every database query/.test(d.message))!.message;
    assert.match(summary(storeDiagnostics), /Called from 3 places, 3 on request paths\.$/);
    const controllerDiagnostics = await client.open(uriOf(controller), controllerText);
    assert.equal(controllerDiagnostics.filter((d) => d.code === 'hot-path-call').length, 2);

    // The controller stops calling UserStore.list_active/0: the server's callers summary follows.
    const line = controllerText.split('\n').findIndex((l) => l.includes('UserStore.list_active()'));
    const updated = until(client, uriOf(store), (ds) => /Called from 2 places/.test(summary(ds)));
    const edited = await client.change(uriOf(controller), [{
      range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } },
      text: '    users = []\n',
    }]);
    assert.equal(edited.filter((d) => d.code === 'hot-path-call').length, 1);
    assert.match(summary(await updated), /Called from 2 places, 2 on request paths\.$/);

    // The server is no longer registered under a name and no longer a child of the application
    // (it is now started per entity): the controller's hot-path-call warning goes.
    const unnamed = storeText.replace('name: __MODULE__', 'name: {:via, Registry, {Shop.UserRegistry, :users}}');
    assert.notEqual(unnamed, storeText);
    const controllerUpdate = until(client, uriOf(controller), (ds) => !ds.some((d) => d.code === 'hot-path-call'));
    await client.change(uriOf(store), [{ text: unnamed }]);
    await controllerUpdate;
    client.close(uriOf(store));
    client.close(uriOf(controller));
  });

  test('hover on a client-function call names the server, its verdict, callers and supervisor', async () => {
    const controllerText = fs.readFileSync(controller, 'utf8');
    await client.open(uriOf(controller), controllerText);
    const lines = controllerText.split('\n');
    const line = lines.findIndex((l) => l.includes('UserStore.get('));
    const hover = await client.hover(uriOf(controller), { line, character: lines[line].indexOf('UserStore.get') + 11 });
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /`Shop\.UserStore\.get\/1` is a client function of `Shop\.UserStore`: it sends the server a message\. It reaches `Shop\.UserStore`, whose verdict is: \*\*run it in the caller\*\*/);
    assert.match(value, /Callers: \*\*3\*\* places, \*\*3\*\* on request paths/);
    assert.match(value, /called on a request path from UserController\\\.show\/2 via Shop\\\.UserStore\\\.get\/1/);
    assert.match(value, /Supervision: child of `Shop\.Application` \(\[line \d+\]\(file:.*application\.ex#L\d+\)\)/);
    client.close(uriOf(controller));
  });

  test('hover on a per-entity server names where it is started per entity', async () => {
    const cart = path.join(dir, 'lib/shop/cart.ex');
    const text = fs.readFileSync(cart, 'utf8');
    await client.open(uriOf(cart), text);
    const line = text.split('\n').findIndex((l) => l.includes('use GenServer'));
    const value = ((await client.hover(uriOf(cart), { line, character: 6 }))?.contents as { value: string }).value;
    assert.match(value, /one process per key/);
    assert.match(value, /Supervision: started per entity with DynamicSupervisor\.start_child in `Shop\.Cart` \(\[line \d+\]/);
    client.close(uriOf(cart));
  });

  test('hover on a server started only by hand says that no supervisor starts it', async () => {
    const progress = path.join(dir, 'lib/shop/import_progress.ex');
    const text = fs.readFileSync(progress, 'utf8');
    await client.open(uriOf(progress), text);
    const line = text.split('\n').findIndex((l) => l.includes('use Agent'));
    const value = ((await client.hover(uriOf(progress), { line, character: 6 }))?.contents as { value: string }).value;
    assert.match(value, /Supervision: \*\*not started by any supervisor in the workspace\*\*/);
    // tick/1 and done/1 send it messages; start_link and stop are not part of what it is asked to do.
    assert.match(value, /Callers: \*\*2\*\* places, \*\*0\*\* on request paths/);
    client.close(uriOf(progress));
  });
});

describe('.chokepoint.json and suppressions', () => {
  test('a malformed file gives one diagnostic and the defaults; fixing it applies its rules and excludes', async () => {
    const dir = copyWorkspace();
    const config = path.join(dir, '.chokepoint.json');
    fs.writeFileSync(config, '{\n  "rules": { "hot-path-call": "error", }\n}\n');
    const client = await LspClient.start(dir);
    try {
      const configDiagnostics = client.nextDiagnostics(uriOf(config));
      await client.whenIndexed();
      const problems = await configDiagnostics;
      assert.equal(problems.length, 1);
      assert.match(problems[0].message, /\.chokepoint\.json is not valid JSON .*defaults/);
      assert.equal(problems[0].range.start.line, 1);

      const controller = path.join(dir, 'lib/shop_web/controllers/user_controller.ex');
      const search = path.join(dir, 'lib/shop/storefront_search.ex');
      const before = await client.open(uriOf(controller), fs.readFileSync(controller, 'utf8'));
      assert.ok(before.filter((d) => d.code === 'hot-path-call').every((d) => d.severity === 2), 'defaults: warning');
      assert.ok((await client.open(uriOf(search), fs.readFileSync(search, 'utf8'))).length > 0);

      fs.writeFileSync(config, JSON.stringify({ rules: { 'hot-path-call': 'error', 'unknown-rule': 'off' }, exclude: ['lib/shop/storefront_*.ex', '../outside/**'] }, null, 2));
      const fixed = client.nextDiagnostics(uriOf(config));
      const controllerAfter = client.nextDiagnostics(uriOf(controller));
      const searchAfter = client.nextDiagnostics(uriOf(search));
      client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
      assert.deepEqual((await fixed).map((d) => d.message), [
        'Unknown rule "unknown-rule" in .chokepoint.json.',
        'The exclude pattern "../outside/**" points outside the workspace; it is ignored.',
      ]);
      const hot = (await controllerAfter).filter((d) => d.code === 'hot-path-call');
      assert.ok(hot.length === 2 && hot.every((d) => d.severity === 1), 'the file raises hot-path-call to error');
      assert.deepEqual(await searchAfter, [], 'excluded files are silent');

      // The editor's setting wins over the file; "default" defers to it.
      const reconfigured = client.nextDiagnostics(uriOf(controller));
      client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { chokepoint: { rules: { 'hot-path-call': 'info', 'repo-in-server': 'default' } } } });
      assert.ok((await reconfigured).filter((d) => d.code === 'hot-path-call').every((d) => d.severity === 3));
    } finally {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a suppression that silences nothing gets a hint whose quick fix removes it; file-level suppressions work', async () => {
    const client = await LspClient.start(null);
    try {
      const uri = 'file:///suppress/server.ex';
      const text = `defmodule Shop.Quiet do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  # chokepoint-disable-next-line repo-in-server -- nothing here queries
  def handle_call(:next, _from, n), do: {:reply, n, n + 1}
  def handle_cast(:reset, _n), do: {:noreply, 0} # chokepoint-disable-next-line nonsense-rule
end
`;
      const diagnostics = await client.open(uri, text);
      assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.code, d.severity, d.tags]), [
        [3, 'unused-suppression', 3, [1]],
        [5, 'unused-suppression', 3, [1]],
      ]);
      assert.match(diagnostics[0].message, /^Unused suppression: repo-in-server reports nothing on the next line/);
      assert.match(diagnostics[1].message, /^Unknown Chokepoint rule "nonsense-rule"/);
      let current = text;
      for (const diagnostic of [diagnostics[1], diagnostics[0]]) {
        const [action] = await client.codeActions(uri, [diagnostic]);
        assert.equal(action.title, 'Remove unused suppression comment');
        current = applyEdits(current, action.edit!.changes![uri]);
      }
      assert.ok(!current.includes('chokepoint-disable'), current);
      assert.ok(current.includes('  def handle_cast(:reset, _n), do: {:noreply, 0}\nend'), current);
      assert.deepEqual(elixirRejects([current]), []);
      assert.deepEqual(await client.change(uri, [{ text: current }]), []);

      // A file-level suppression silences its rule everywhere in the file, and is itself used.
      const flagged = 'defmodule Shop.Loud do\n  use GenServer\n  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)\n  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}\nend\n';
      assert.ok(keys(await client.change(uri, [{ text: flagged }])).includes('3:repo-in-server'));
      const silenced = keys(await client.change(uri, [{ text: `# chokepoint-disable-file repo-in-server\n${flagged}` }]));
      assert.deepEqual(silenced, ['2:stateless-server']);
    } finally {
      await client.stop();
    }
  });
});

test('a large workspace is indexed by a worker thread: callers in 250 closed files reach the server, and a file opened meanwhile wins', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-big-index-'));
  fs.cpSync(WORKSPACE, dir, { recursive: true });
  // 250 controllers, each calling Shop.UserStore once on a request; one of them also open in the editor.
  const controllers = path.join(dir, 'lib/shop_web/controllers/generated');
  fs.mkdirSync(controllers, { recursive: true });
  for (let i = 0; i < 250; i++) {
    fs.writeFileSync(path.join(controllers, `page${i}_controller.ex`), `defmodule ShopWeb.Page${i}Controller do
  use ShopWeb, :controller
  alias Shop.UserStore

  def show(conn, %{"id" => id}), do: json(conn, UserStore.get(id))
end
`);
  }
  const client = await LspClient.start(dir);
  try {
    // Open before the index is done: its editor text (no call) beats the file on disk (a call).
    const opened = path.join(controllers, 'page0_controller.ex');
    await client.open(uriOf(opened), fs.readFileSync(opened, 'utf8').replace('json(conn, UserStore.get(id))', 'json(conn, %{id: id})'));
    await client.whenIndexed();
    assert.ok(client.log.some((line) => /^\[chokepoint\] indexing \d+ files in a worker thread$/.test(line)), client.log.join('\n'));
    const store = path.join(dir, 'lib/shop/user_store.ex');
    const diagnostics = await client.open(uriOf(store), fs.readFileSync(store, 'utf8'));
    const summary = diagnostics.find((d) => d.code === 'repo-in-server' && /serializes every database query/.test(d.message))!.message;
    // The fixture's 3 callers, and 249 of the generated controllers.
    assert.match(summary, /Called from 252 places, 252 on request paths\.$/);
    assert.equal(client.exited, false);
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
