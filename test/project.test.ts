// The whole-project pipeline the CLI uses: the text pre-filter must not change any finding.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { scanFiles } from '../server/src/project';
import { analyzeSources, ROOT, workspaceFiles } from './helpers';

test('the pre-filter skips files without servers and finds exactly what parsing everything finds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-prefilter-'));
  // An in-memory "Repo" (no GenServer, no Ecto) changes what a server's Repo.all means: it must be seen.
  fs.writeFileSync(path.join(dir, 'memory_repo.ex'), 'defmodule Local.Repo do\n  def all(_), do: []\nend\n');
  fs.writeFileSync(path.join(dir, 'server.ex'), `defmodule Local.Server do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def handle_call(:all, _from, n), do: {:reply, Local.Repo.all(X), n + 1}
end
`);
  // The fix fixture has plain modules that reach servers by their full names (ShopFix.Progress.start): only
  // the mention of a server's name makes them worth parsing.
  const files = [...workspaceFiles(), ...workspaceFiles(path.join(ROOT, 'test', 'fixtures', 'shop_fix')), ...fs.readdirSync(dir).map((f) => path.join(dir, f))];
  const filtered = await scanFiles(files);
  const everything = await scanFiles(files, { parseEverything: true });
  const key = (r: typeof filtered) => r.findings.map((f) => `${f.uri}:${f.range.start.line}:${f.range.start.character}:${f.ruleId}:${f.message}`);
  assert.deepEqual(key(filtered), key(everything));
  // Whole findings, related information included, in the same order: parse order does not show.
  assert.deepEqual(filtered.findings, everything.findings);
  assert.ok(filtered.findings.length > 20);
  assert.ok(filtered.models.length < everything.models.length, 'the pre-filter should skip the schemas, contexts and controllers');
  assert.ok(!filtered.findings.some((f) => f.uri.endsWith('/server.ex')), 'Local.Repo is not a database');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the pre-filter finds a called module by its full name: a nested module, not its namesakes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-prefilter-names-'));
  const write = (file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);
  write('repo.ex', 'defmodule Shop.Repo do\n  use Ecto.Repo, otp_app: :shop\nend\n');
  // The server's query runs two calls away, in a module nested inside another (written `Search`).
  write('server.ex', `defmodule Shop.Finder do
  use GenServer
  alias Shop.Catalog
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def find(term), do: GenServer.call(__MODULE__, {:find, term})
  def handle_call({:find, term}, _from, state), do: {:reply, Catalog.Search.run(term), state}
end
`);
  write('catalog.ex', 'defmodule Shop.Catalog do\n  defmodule Search do\n    def run(term), do: Shop.Repo.all(term)\n  end\nend\n');
  // Namesakes of Search: never called, so never parsed.
  write('orders_search.ex', 'defmodule Shop.Orders.Search do\n  def run(term), do: term\nend\n');
  write('users_search.ex', 'defmodule Shop.Users.Search do\n  def run(term), do: term\nend\n');
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  const filtered = await scanFiles(files);
  const everything = await scanFiles(files, { parseEverything: true });
  assert.deepEqual(filtered.findings, everything.findings);
  assert.ok(filtered.findings.some((f) => f.ruleId === 'repo-in-server' && f.message.includes('→ Search.run/1 → Repo.all')), JSON.stringify(filtered.findings.map((f) => f.message)));
  assert.deepEqual(filtered.models.map((m) => path.basename(m.uri)).sort(), ['catalog.ex', 'repo.ex', 'server.ex']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the TypeScript pre-filter keeps the files that declare serializers and every file linked to them by imports, and nothing changes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-ts-prefilter-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  // The pool is reached through a tsconfig alias whose name is not the file's: only resolving it finds it.
  write('tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@database': ['src/infra/client.ts'] } } }));
  write('src/infra/client.ts', "import { Pool } from 'pg';\nexport const pool = new Pool();\n");
  write('src/lock.ts', "import { Mutex } from 'async-mutex';\nimport { pool } from '@database';\nexport const lock = new Mutex();\nexport async function bump(id: string) {\n  return lock.runExclusive(async () => pool.query('update t set n = n + 1 where id = $1', [id]));\n}\n");
  // A caller two imports away, in a route handler; and a section written on the imported lock.
  write('src/service.ts', "import { bump } from './lock';\nexport async function touch(id: string) { return bump(id); }\n");
  write('src/routes.ts', "import express from 'express';\nimport { touch } from './service';\nconst app = express();\napp.post('/t/:id', async (req, res) => res.json(await touch(req.params.id)));\n");
  write('src/other.js', "const { lock } = require('./lock');\nexports.run = () => lock.runExclusive(async () => 1);\n");
  write('src/unrelated.ts', "import { pool } from '@database';\nexport const count = () => pool.query('select 1');\n");
  // A file whose text could hold a serializer (a .then) but does not: parsed, and nothing follows from it.
  write('src/util.ts', "export const later = (f: () => void) => Promise.resolve().then(f);\n");
  write('src/report.ts', "import { later } from './util';\nexport const report = () => later(() => undefined);\n");
  const files = [...workspaceFiles(path.join(ROOT, 'test-workspace', 'node')), ...workspaceFiles(dir)].filter((f) => !/\.json$/.test(f));
  const filtered = await scanFiles(files);
  const everything = await scanFiles(files, { parseEverything: true });
  const key = (r: typeof filtered) => r.findings.map((f) => `${f.uri}:${f.range.start.line}:${f.range.start.character}:${f.ruleId}:${f.message}`);
  assert.deepEqual(key(filtered), key(everything));
  // Whole findings, related information included, in the same order: parse order does not show.
  assert.deepEqual(filtered.findings, everything.findings);
  const parsed = filtered.models.map((m) => path.relative(dir, new URL(m.uri).pathname)).filter((f) => !f.startsWith('..')).sort();
  assert.deepEqual(parsed, ['src/infra/client.ts', 'src/lock.ts', 'src/other.js', 'src/routes.ts', 'src/service.ts', 'src/util.ts']);
  assert.ok(filtered.findings.some((f) => f.uri.endsWith('/src/lock.ts') && f.ruleId === 'pool-behind-lock'), key(filtered).join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('supervision children in every form the index reads', async () => {
  const { models } = await analyzeSources({
    'lib/app.ex': `defmodule Shop.Application do
  use Application
  alias Shop.{Cache, Mailer}
  def start(_type, _args) do
    children = [Shop.Repo, {Cache, name: :cache}, Mailer.child_spec(pool: 2)] ++ extra()
    Supervisor.start_link(children, strategy: :one_for_one)
  end
  defp extra, do: [Supervisor.child_spec({Shop.Worker, []}, id: :w1), %{id: :clock, start: {Shop.Clock, :start_link, [[name: Shop.Clock]]}}]
end
`,
    'lib/sup.ex': `defmodule Shop.Sup do
  use Supervisor
  def init(_), do: [Shop.Ticker, {Shop.Feed, name: {:global, :feed}}] |> Supervisor.init(strategy: :one_for_all)
end
`,
    'lib/rooms.ex': `defmodule Shop.Rooms do
  def open(id), do: DynamicSupervisor.start_child(Shop.RoomSup, {Shop.Room, id})
end
`,
  });
  const children = models.flatMap((m) => m.modules.flatMap((mod) => mod.children));
  assert.deepEqual(children.map((c) => `${c.supervisor} ${c.module} ${c.dynamic ? 'dynamic' : 'static'} ${c.registration ? `${c.registration.kind}:${c.registration.name}` : '-'}`), [
    'Shop.Application Shop.Repo static -',
    'Shop.Application Shop.Cache static name::cache',
    'Shop.Application Shop.Mailer static -',
    'Shop.Application Shop.Worker static -',
    'Shop.Application Shop.Clock static name:Shop.Clock',
    'Shop.Sup Shop.Ticker static -',
    'Shop.Sup Shop.Feed static global::feed',
    'Shop.Rooms Shop.Room dynamic -',
  ]);
});
