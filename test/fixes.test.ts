// The quick fixes, proven with the real compiler. Each case copies the fixture mix project
// (test/fixtures/shop_fix: no Hex dependencies, a local stand-in for Ecto.Repo), asks the language server
// for the fix over LSP, writes the edits, and requires that Elixir parses every changed file, that
// `mix compile --warnings-as-errors` and `mix test` pass (the tests call the client API: same answers as
// before), that the finding is gone, and that the changed code reads as the table says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { elixirRejects, ROOT } from './helpers';
import { applyEdits, editsByUri, LspClient } from './lsp-client';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'shop_fix');

function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-fix-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}_build`) });
  return dir;
}

/** `mix compile --warnings-as-errors` then `mix test`, offline; returns the failure output or ''. */
function mixCheck(dir: string, testArgs: string[] = []): string {
  const env = { ...process.env, MIX_ENV: 'test', HEX_OFFLINE: '1' };
  for (const args of [['compile', '--warnings-as-errors'], ['test', ...testArgs]]) {
    const run = spawnSync('mix', args, { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
    if (run.error) throw new Error(`cannot run mix (install Debian's elixir package): ${run.error.message}`);
    if (run.status !== 0) return `mix ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`;
  }
  return '';
}

interface FixCase {
  name: string;
  file: string;
  rule: string;
  /** Picks the diagnostic (by its line's text). */
  line: RegExp;
  title: RegExp;
  kind: 'quickfix' | 'refactor.rewrite';
  /** Files the fix must change, relative to the project. */
  changes: string[];
  /** Text each changed file must contain after the fix, and text it must not. */
  after: Record<string, { has?: string[]; lacks?: string[] }>;
  /** Extra `mix test` arguments after the fix (tests of behaviour only the fix gives). */
  testArgs?: string[];
}

const CASES: FixCase[] = [
  {
    name: 'stateless-server: turn the server into a plain module and drop it from the application',
    file: 'lib/shop_fix/price_formatter.ex', rule: 'stateless-server', line: /use GenServer/,
    title: /^Turn ShopFix\.PriceFormatter into a plain module$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/price_formatter.ex', 'lib/shop_fix/application.ex'],
    after: {
      'lib/shop_fix/price_formatter.ex': {
        has: [
          '  def format(cents, currency \\\\ "EUR") do\n    units = div(cents, 100)\n    rest = cents |> rem(100) |> Integer.to_string() |> String.pad_leading(2, "0")\n    Map.fetch!(@symbols, currency) <> Integer.to_string(units) <> "." <> rest\n  end',
          '  def parse(text) do\n    case Float.parse(String.replace(text, ~r/[^\\d.]/u, "")) do\n      {value, ""} -> {:ok, round(value * 100)}\n      _ -> :error\n    end\n  end',
        ],
        lacks: ['use GenServer', 'start_link', 'def init', 'handle_call', '@impl', '@name'],
      },
      'lib/shop_fix/application.ex': { has: ['      {Task.Supervisor, name: ShopFix.TaskSupervisor},\n      ShopFix.UserStore,'], lacks: ['PriceFormatter'] },
    },
  },
  {
    name: 'repo-in-server: run one query in the caller (the callback names the id differently)',
    file: 'lib/shop_fix/user_store.ex', rule: 'repo-in-server', line: /Repo\.get\(/,
    title: /^Run the query in the caller: move handle_call\(\{:get, user_id\}\) into its client function$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/user_store.ex'],
    after: {
      'lib/shop_fix/user_store.ex': {
        has: ['  def get(id) do\n    user_id = id\n    Repo.get(:users, user_id)\n  end', '  @impl true\n  def handle_call(:list_active, _from, state) do'],
        lacks: ['{:get, '],
      },
    },
  },
  {
    name: 'repo-in-server: run every query in the callers',
    file: 'lib/shop_fix/user_store.ex', rule: 'repo-in-server', line: /use GenServer/,
    title: /^Run the queries in the callers: move 2 callbacks into their client functions$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/user_store.ex'],
    after: {
      'lib/shop_fix/user_store.ex': {
        has: ['  def list_active do\n    users = Repo.all(:users) |> Enum.filter(& &1.active)\n    users\n  end'],
        lacks: ['handle_call', 'GenServer.call'],
      },
    },
  },
  {
    name: 'blocking-callback: write the file in the caller',
    file: 'lib/shop_fix/exporter.ex', rule: 'blocking-callback', line: /File\.write!/,
    title: /^Do the work in the caller: move handle_call\(\{:export, path, rows\}\) into its client function$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/exporter.ex'],
    after: {
      'lib/shop_fix/exporter.ex': {
        has: ['  def export(path, rows) do\n    csv = Enum.map_join(rows, fn row -> Enum.join(row, ",") <> "\\n" end)\n    File.write!(path, csv)\n    :ok\n  end', '  @impl true\n  def handle_call({:export_stamped, path, rows}, _from, count) do'],
        lacks: ['{:export, '],
      },
    },
  },
  {
    name: 'blocking-callback: a callback that reads the state replies from a task',
    file: 'lib/shop_fix/exporter.ex', rule: 'blocking-callback', line: /File\.write!\(path, Enum/,
    title: /^Reply from a task under ShopFix\.TaskSupervisor$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/exporter.ex'],
    after: {
      'lib/shop_fix/exporter.ex': {
        has: ['  def handle_call({:export_stamped, path, rows}, from, count) do\n    # The slow work runs in a task that answers the caller; the server takes the next message meanwhile.\n    Task.Supervisor.start_child(ShopFix.TaskSupervisor, fn ->\n      File.write!(path, Enum.map_join(rows, &(Enum.join(&1, ",") <> "\\n")))\n      GenServer.reply(from, {:ok, count})\n    end)\n\n    {:noreply, count}\n  end'],
      },
    },
  },
  {
    name: 'scattered-calls: call the existing client function',
    file: 'lib/shop_fix/reports.ex', rule: 'scattered-calls', line: /stock_line/,
    title: /^Call ShopFix\.Inventory\.stock\/1 instead$/, kind: 'quickfix',
    changes: ['lib/shop_fix/reports.ex'],
    after: { 'lib/shop_fix/reports.ex': { has: ['def stock_line(sku), do: "#{sku}: #{ShopFix.Inventory.stock(sku)}"'] } },
  },
  {
    name: 'scattered-calls: add the missing client function and call it',
    file: 'lib/shop_fix/alerts.ex', rule: 'scattered-calls', line: /reorder\?/,
    title: /^Add ShopFix\.Inventory\.low\?\/1 and call it$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/alerts.ex', 'lib/shop_fix/inventory.ex'],
    after: {
      'lib/shop_fix/alerts.ex': { has: ['def reorder?(sku), do: ShopFix.Inventory.low?(sku)'] },
      'lib/shop_fix/inventory.ex': { has: ['  def low?(sku), do: GenServer.call(__MODULE__, {:low?, sku})'] },
    },
  },
  {
    name: 'unsupervised-start: a server the application starts by hand goes into its children',
    file: 'lib/shop_fix/application.ex', rule: 'unsupervised-start', line: /Counter\.start_link/,
    title: /^Start ShopFix\.Counter in ShopFix\.Application's children$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/application.ex'],
    after: { 'lib/shop_fix/application.ex': { has: ['    children = [\n      {ShopFix.Counter, 100},\n      ShopFix.Repo,'], lacks: ['Counter.start_link'] } },
  },
  {
    name: 'unsupervised-start: a server started unlinked goes under the application\'s DynamicSupervisor',
    file: 'lib/shop_fix/jobs.ex', rule: 'unsupervised-start', line: /Progress\.start/,
    title: /^Start it under ShopFix\.JobSupervisor$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/jobs.ex'],
    after: { 'lib/shop_fix/jobs.ex': { has: ['def start(total), do: DynamicSupervisor.start_child(ShopFix.JobSupervisor, Supervisor.child_spec({ShopFix.Progress, [total: total]}, restart: :temporary))'] } },
  },
  {
    name: 'unsupervised-start: a spawn on a web request runs under the Task.Supervisor',
    file: 'lib/shop_fix_web/import_controller.ex', rule: 'unsupervised-start', line: /spawn/,
    title: /^Run it under ShopFix\.TaskSupervisor$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix_web/import_controller.ex'],
    after: { 'lib/shop_fix_web/import_controller.ex': { has: ['    Task.Supervisor.start_child(ShopFix.TaskSupervisor, fn -> send(pid, :imported) end)\n    :accepted'] } },
  },
  {
    name: 'self-call: compute the answer in the callback instead of calling the server',
    file: 'lib/shop_fix/sessions.ex', rule: 'self-call', line: /count\(\)/,
    title: /^Call count_reply\/1 instead of the server$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/sessions.ex'],
    after: {
      'lib/shop_fix/sessions.ex': {
        has: [
          '{:reply, %{count: count_reply(sessions), ids: Enum.sort(Map.keys(sessions))}, sessions}',
          '  def handle_call(:count, _from, sessions), do: {:reply, count_reply(sessions), sessions}',
          '  end\n\n  defp count_reply(sessions) do\n    map_size(sessions)\n  end\nend',
        ],
      },
    },
    // stats/0 exited with :calling_self before the fix; after it, its test passes too.
    testArgs: ['--include', 'after_fix'],
  },
  {
    name: 'global-state-server: keep the settings in :persistent_term',
    file: 'lib/shop_fix/settings.ex', rule: 'global-state-server', line: /use Agent/,
    title: /^Keep ShopFix\.Settings's value in :persistent_term$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/settings.ex'],
    after: {
      'lib/shop_fix/settings.ex': {
        has: [
          'def child_spec(arg), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}}',
          '  def start_link(_opts) do\n    :persistent_term.put(__MODULE__, %{currency: "EUR", banner: "Welcome"})\n    :ignore\n  end',
          '  def currency do\n    :persistent_term.get(__MODULE__).currency\n  end',
          '  def banner do\n    settings = :persistent_term.get(__MODULE__)\n    settings.banner\n  end',
          '  def put(changes) do\n    :persistent_term.put(__MODULE__, Map.merge(:persistent_term.get(__MODULE__), changes))\n  end',
        ],
        lacks: ['Agent'],
      },
    },
  },
  {
    name: 'global-state-server: a GenServer publishes its state in ETS and the reads run in the callers',
    file: 'lib/shop_fix/flags.ex', rule: 'global-state-server', line: /use GenServer/,
    title: /^Serve ShopFix\.Flags's reads from an ETS table \(reads in the caller\)$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/flags.ex'],
    after: {
      'lib/shop_fix/flags.ex': {
        has: [
          '  def enabled?(flag) do\n    flags = :ets.lookup_element(__MODULE__, :state, 2)\n    Map.get(flags, flag, false)\n  end',
          '  def init(flags), do: {:ok, put_state(flags)}',
          '  def handle_call({:replace, new_flags}, _from, _flags), do: {:reply, :ok, put_state(new_flags)}',
          ':ets.new(__MODULE__, [:named_table, :protected, read_concurrency: true])',
        ],
        lacks: ['{:enabled?, flag}', 'handle_call(:all'],
      },
    },
  },
  {
    name: 'keyed-state-server: one process per key with the same client API',
    file: 'lib/shop_fix/carts.ex', rule: 'keyed-state-server', line: /use GenServer/,
    title: /^Run one ShopFix\.Carts process per key \(Registry \+ DynamicSupervisor\)$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/carts.ex'],
    after: {
      'lib/shop_fix/carts.ex': {
        has: [
          '  def start_link(key), do: GenServer.start_link(__MODULE__, %{}, name: {:via, Registry, {__MODULE__.Registry, key}})',
          '  def add(user_id, sku), do: GenServer.cast(server(user_id), {:add, user_id, sku})',
          '  def items(user_id), do: GenServer.call(server(user_id), {:items, user_id})',
          '      {Registry, keys: :unique, name: __MODULE__.Registry},\n      {DynamicSupervisor, name: __MODULE__.Supervisor, strategy: :one_for_one}',
          '  defp server(key) do\n    case Registry.lookup(__MODULE__.Registry, key) do',
        ],
        lacks: ['name: __MODULE__)'],
      },
    },
  },
  {
    name: 'hot-path-call: the request runs the server\'s work itself',
    file: 'lib/shop_fix_web/user_controller.ex', rule: 'hot-path-call', line: /UserStore\.get/,
    title: /^Run handle_call\(\{:get, user_id\}\) in the request: move it into ShopFix\.UserStore's client function$/, kind: 'refactor.rewrite',
    changes: ['lib/shop_fix/user_store.ex'],
    after: { 'lib/shop_fix/user_store.ex': { has: ['  def get(id) do\n    user_id = id\n    Repo.get(:users, user_id)\n  end'] } },
  },
];

describe('quick fixes compile and keep the client API', () => {
  before(() => {
    const dir = copyFixture();
    try {
      assert.equal(mixCheck(dir), '', 'the fixture must compile and pass its tests before any fix');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const dir = copyFixture();
      const client = await LspClient.start(dir);
      try {
        await client.whenIndexed();
        const file = path.join(dir, c.file);
        const uri = pathToFileURL(file).href;
        const text = fs.readFileSync(file, 'utf8');
        const diagnostics = await client.open(uri, text);
        const lines = text.split('\n');
        const diagnostic = diagnostics.find((d) => d.code === c.rule && c.line.test(lines[d.range.start.line]));
        assert.ok(diagnostic, `no ${c.rule} diagnostic: ${diagnostics.map((d) => `${d.range.start.line}:${d.code}`).join(' ')}`);
        const actions = await client.codeActions(uri, [diagnostic]);
        const action = actions.find((a) => c.title.test(a.title));
        assert.ok(action?.edit, `no action ${c.title}: ${actions.map((a) => a.title).join(' | ')}`);
        assert.equal(action.kind, c.kind);
        const changes = editsByUri(action.edit);
        const changed = Object.keys(changes).map((u) => path.relative(dir, fileURLToPath(u))).sort();
        assert.deepEqual(changed, [...c.changes].sort());
        if (changed.length > 1) {
          // Edits to several files ask the user first.
          assert.equal(action.edit.changeAnnotations?.['chokepoint-refactor']?.needsConfirmation, true);
        }
        const outputs: string[] = [];
        for (const [u, edits] of Object.entries(changes)) {
          const target = fileURLToPath(u);
          const out = applyEdits(fs.readFileSync(target, 'utf8'), edits);
          fs.writeFileSync(target, out);
          outputs.push(out);
          const expected = c.after[path.relative(dir, target)];
          for (const snippet of expected?.has ?? []) assert.ok(out.includes(snippet), `${path.relative(dir, target)} lacks:\n${snippet}\n--- got:\n${out}`);
          for (const snippet of expected?.lacks ?? []) assert.ok(!out.includes(snippet), `${path.relative(dir, target)} still has ${snippet}:\n${out}`);
        }
        assert.deepEqual(elixirRejects(outputs), []);
        assert.equal(mixCheck(dir, c.testArgs), '');
        // The finding the fix was for is gone (the server hears of the other files as an editor would tell it).
        const others = Object.keys(changes).filter((u) => u !== uri).map((u) => ({ uri: u, type: 2 }));
        if (others.length) client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: others });
        const after = await client.change(uri, [{ text: fs.readFileSync(file, 'utf8') }]);
        const fixedLine = (d: { range: { start: { line: number } } }) => c.line.test(fs.readFileSync(file, 'utf8').split('\n')[d.range.start.line] ?? '');
        assert.ok(!after.some((d) => d.code === c.rule && fixedLine(d) && d.range.start.line === diagnostic.range.start.line), JSON.stringify(after.map((d) => [d.range.start.line, d.code])));
      } finally {
        await client.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('no fix is offered where it cannot be done correctly', async () => {
    const client = await LspClient.start(null);
    try {
      const uri = 'file:///nofix/ledger.ex';
      // The query's result is kept in the state: it cannot move to the caller, and the server is not stateless.
      const text = `defmodule Shop.Ledger do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def total(id), do: GenServer.call(__MODULE__, {:total, id})
  def init(s), do: {:ok, s}
  def handle_call({:total, id}, _from, cache) do
    total = Shop.Repo.one(id)
    {:reply, total, Map.put(cache, id, total)}
  end
end
`;
      const diagnostics = await client.open(uri, text);
      const onQuery = diagnostics.find((d) => d.code === 'repo-in-server' && d.range.start.line === 6)!;
      assert.ok(onQuery);
      const titles = (await client.codeActions(uri, [onQuery])).map((a) => a.title);
      assert.deepEqual(titles, ['Disable repo-in-server for this line', 'Disable repo-in-server for the entire file']);
    } finally {
      await client.stop();
    }
  });
});

test('bench/singleton_vs_pool.exs runs and shows the singleton is the slower one', () => {
  const run = spawnSync('elixir', [path.join(ROOT, 'bench', 'singleton_vs_pool.exs'), '20', '3', '2'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const ratio = /throughput ratio \(fix \/ singleton\): ([\d.]+)x/.exec(run.stdout);
  assert.ok(ratio, run.stdout);
  assert.ok(Number(ratio[1]) > 2, run.stdout);
});

test('every fix offered anywhere in the test workspace leaves Elixir that parses', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chokepoint-allfixes-'));
  fs.cpSync(path.join(ROOT, 'test-workspace'), dir, { recursive: true });
  const client = await LspClient.start(dir);
  const outputs: { what: string; text: string }[] = [];
  try {
    await client.whenIndexed();
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : /\.exs?$/.test(e.name) && files.push(path.join(d, e.name))));
    walk(dir);
    for (const file of files.sort()) {
      const uri = pathToFileURL(file).href;
      const diagnostics = await client.open(uri, fs.readFileSync(file, 'utf8'));
      for (const diagnostic of diagnostics) {
        for (const action of await client.codeActions(uri, [diagnostic])) {
          if (!action.edit || action.title.startsWith('Disable ')) continue;
          for (const [u, edits] of Object.entries(editsByUri(action.edit))) {
            outputs.push({ what: `${path.relative(dir, file)}:${diagnostic.range.start.line + 1} ${action.title} -> ${path.relative(dir, fileURLToPath(u))}`, text: applyEdits(fs.readFileSync(fileURLToPath(u), 'utf8'), edits) });
          }
        }
      }
      client.close(uri);
    }
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const rules = new Set(outputs.map((o) => o.what.split(' ')[1]));
  assert.ok(outputs.length >= 10, `only ${outputs.length} fixes offered: ${[...rules].join(', ')}`);
  const rejected = elixirRejects(outputs.map((o) => o.text));
  assert.deepEqual(rejected.map((r) => `${outputs[r.index].what}: ${r.error}`), []);
});
