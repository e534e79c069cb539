// Rule tables: for each rule, snippets that must be flagged (their `# expect:` comments say where)
// and snippets that must stay silent. Only the rule under test is compared in each table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSources, expectations } from './helpers';
import { runTable } from './rule-table';


const singleton = (body: string, extra = '') => `defmodule Shop.Server do
  use GenServer # expect: repo-in-server
  ${extra}
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  def init(opts), do: {:ok, opts}
${body}
end
`;

runTable('repo-in-server', {
  invalid: [
    { name: 'alias X.Repo', files: { 'a.ex': singleton(`
  def handle_call({:get, id}, _from, state) do
    {:reply, Repo.get(User, id), state} # expect: repo-in-server
  end`, 'alias Shop.Repo') } },
    { name: 'alias X.Repo, as: DB', files: { 'a.ex': singleton(`
  def handle_call(:all, _from, state), do: {:reply, DB.all(User), state} # expect: repo-in-server`, 'alias Shop.Repo, as: DB') } },
    { name: 'alias X.{Repo, Other}', files: { 'a.ex': singleton(`
  def handle_cast({:save, u}, state) do
    Repo.insert!(u) # expect: repo-in-server
    {:noreply, state}
  end`, 'alias Shop.{Repo, Accounts}') } },
    { name: 'full module name in a pipe', files: { 'a.ex': singleton(`
  def handle_call(:count, _from, state) do
    n = User |> where(active: true) |> Shop.Repo.aggregate(:count) # expect: repo-in-server
    {:reply, n, state}
  end`) } },
    { name: 'Ecto.Multi pipeline ending in Repo.transaction', files: { 'a.ex': singleton(`
  def handle_call({:order, attrs}, _from, state) do
    result =
      Ecto.Multi.new()
      |> Ecto.Multi.insert(:order, Order.changeset(attrs))
      |> Ecto.Multi.update_all(:stock, Stock, inc: [count: -1])
      |> Repo.transaction() # expect: repo-in-server
    {:reply, result, state}
  end`, 'alias Shop.Repo') } },
    { name: 'module attribute @repo', files: { 'a.ex': singleton(`
  def handle_call(:list, _from, state), do: {:reply, @repo.all(Order), state} # expect: repo-in-server`, '@repo Shop.Repo') } },
    { name: 'a repo with another name, defined in the project', files: {
      'db.ex': 'defmodule Shop.Warehouse.Database do\n  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres\nend\n',
      'a.ex': singleton(`
  def handle_call({:stock, sku}, _from, state), do: {:reply, Database.get_by(Stock, sku: sku), state} # expect: repo-in-server`, 'alias Shop.Warehouse.Database'),
    } },
    { name: 'through a private helper', files: { 'a.ex': singleton(`
  def handle_call({:search, q}, _from, state), do: {:reply, search(q), state}
  defp search(q) do
    Repo.all(from p in Product, where: ilike(p.name, ^q)) # expect: repo-in-server
  end`, 'alias Shop.Repo') } },
    { name: 'an Agent singleton', files: { 'a.ex': `defmodule Shop.Featured do
  use Agent # expect: repo-in-server
  def start_link(_), do: Agent.start_link(fn -> [] end, name: __MODULE__)
  def list, do: Agent.get(__MODULE__, fn ids -> Shop.Repo.all(query(ids)) end) # expect: repo-in-server
end
` } },
    { name: 'registered with {:global, name}', files: { 'a.ex': `defmodule Shop.Global do
  use GenServer # expect: repo-in-server
  def start_link(_), do: GenServer.start_link(__MODULE__, :ok, name: {:global, __MODULE__})
  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s} # expect: repo-in-server
end
` } },
    { name: 'name from options with a fixed default', files: { 'a.ex': `defmodule Shop.Configurable do
  use GenServer # expect: repo-in-server
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))
  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s} # expect: repo-in-server
end
` } },
    { name: 'name bound earlier in start_link (Keyword.pop with an @attribute default)', files: { 'a.ex': `defmodule Shop.Bound do
  use GenServer # expect: repo-in-server
  @name __MODULE__
  def start_link(opts) do
    {name, opts} = Keyword.pop(opts, :name, @name)
    GenServer.start_link(__MODULE__, opts, name: name)
  end
  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s} # expect: repo-in-server
end
` } },
  ],
  valid: [
    { name: 'a name the caller must give (Keyword.fetch!)', files: { 'a.ex': `defmodule Shop.Named do
  use GenServer
  def start_link(opts) do
    name = Keyword.fetch!(opts, :name)
    GenServer.start_link(__MODULE__, opts, name: name)
  end
  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}
end
` } },
    { name: 'a per-entity process behind a Registry', files: { 'a.ex': `defmodule Shop.Cart do
  use GenServer
  alias Shop.Repo
  def start_link(id), do: GenServer.start_link(__MODULE__, id, name: {:via, Registry, {Shop.CartRegistry, id}})
  def handle_call(:load, _from, id), do: {:reply, Repo.get(Cart, id), id}
end
` } },
    { name: 'an unnamed server', files: { 'a.ex': `defmodule Shop.Worker do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def handle_call(:load, _from, s), do: {:reply, Shop.Repo.all(X), s}
end
` } },
    { name: 'Repo only in init and handle_continue', files: { 'a.ex': singleton(`
  def handle_continue(:load, state), do: {:noreply, Map.put(state, :rows, Repo.all(Row))}
  def handle_call(:rows, _from, state), do: {:reply, state.rows, state}`, 'alias Shop.Repo').replace(' # expect: repo-in-server', '') } },
    { name: 'work handed to a Task.Supervisor', files: { 'a.ex': singleton(`
  def handle_cast(:purge, state) do
    Task.Supervisor.start_child(Shop.TaskSupervisor, fn -> Repo.delete_all(Expired) end)
    {:noreply, state}
  end`, 'alias Shop.Repo').replace(' # expect: repo-in-server', '') } },
    { name: 'a plain context module', files: { 'a.ex': `defmodule Shop.Accounts do
  alias Shop.Repo
  def get_user!(id), do: Repo.get!(User, id)
end
` } },
    { name: 'Repo mentioned in strings and comments only', files: { 'a.ex': singleton(`
  # Repo.all(User) used to be here
  def handle_call(:doc, _from, state), do: {:reply, "Repo.all(User)", state}`).replace(' # expect: repo-in-server', '') } },
    { name: 'a periodic job triggered by a timer and a bare cast', files: { 'a.ex': `defmodule Shop.Repair do
  use GenServer
  alias Shop.Repo
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  def trigger, do: GenServer.cast(__MODULE__, :repair)
  def init(opts) do
    :timer.send_interval(:timer.hours(1), self(), :repair)
    {:ok, opts}
  end
  def handle_info(:repair, state) do
    trigger()
    {:noreply, state}
  end
  def handle_cast(:repair, state) do
    Repo.all(Broken) |> Enum.each(&Repo.update!(fix(&1)))
    {:noreply, state}
  end
  defp fix(row), do: row
end
` } },
    { name: 'an in-memory module named Repo that the project defines', files: {
      'repo.ex': `defmodule Shop.Repo do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> [] end)
  def all(_), do: []
end
`,
      'a.ex': singleton(`
  def handle_call(:all, _from, state), do: {:reply, Shop.Repo.all(User), state}`).replace(' # expect: repo-in-server', ''),
    } },
    { name: 'Repo.config is not a query', files: { 'a.ex': singleton(`
  def handle_call(:cfg, _from, state), do: {:reply, Shop.Repo.config(), state}`).replace(' # expect: repo-in-server', '') } },
  ],
});

runTable('stateless-server', {
  invalid: [
    { name: 'computes from the message only', files: { 'a.ex': `defmodule Shop.MathServer do
  use GenServer # expect: stateless-server
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(_), do: {:ok, nil}
  def add(a, b), do: GenServer.call(__MODULE__, {:add, a, b})
  def handle_call({:add, a, b}, _from, state), do: {:reply, a + b, state}
  def handle_cast({:log, msg}, _state), do: {:noreply, nil}
end
` } },
    { name: 'state ignored with _', files: { 'a.ex': `defmodule Shop.Fmt do
  use GenServer # expect: stateless-server
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: :fmt)
  def handle_call({:fmt, cents}, _from, _), do: {:reply, "$#{cents / 100}", %{}}
end
` } },
  ],
  valid: [
    { name: 'a counter that changes its state', files: { 'a.ex': `defmodule Shop.Counter do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def handle_call(:next, _from, n), do: {:reply, n, n + 1}
end
` } },
    { name: 'reads configuration kept in its state', files: { 'a.ex': `defmodule Shop.Pricing do
  use GenServer
  def start_link(cfg), do: GenServer.start_link(__MODULE__, cfg, name: __MODULE__)
  def handle_call({:price, x}, _from, state), do: {:reply, x * state.rate, state}
end
` } },
    { name: 'an ETS owner', files: { 'a.ex': `defmodule Shop.Cache do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(_) do
    :ets.new(__MODULE__, [:named_table, :public, read_concurrency: true])
    {:ok, nil}
  end
  def get(k), do: :ets.lookup(__MODULE__, k)
  def handle_call({:put, k, v}, _from, state) do
    :ets.insert(__MODULE__, {k, v})
    {:reply, :ok, state}
  end
end
` } },
    { name: 'a periodic job with a timer', files: { 'a.ex': `defmodule Shop.Sweeper do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(s) do
    Process.send_after(self(), :tick, 1000)
    {:ok, s}
  end
  def handle_call(:ping, _from, s), do: {:reply, :pong, s}
  def handle_info(:tick, s) do
    Process.send_after(self(), :tick, 1000)
    {:noreply, s}
  end
end
` } },
    { name: 'a PubSub relay', files: { 'a.ex': `defmodule Shop.Relay do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_cast({:publish, msg}, s) do
    Phoenix.PubSub.broadcast(Shop.PubSub, "events", msg)
    {:noreply, s}
  end
end
` } },
    { name: 'an Agent is not reported as stateless', files: { 'a.ex': `defmodule Shop.Flags do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> %{} end, name: __MODULE__)
  def get(k), do: Agent.get(__MODULE__, fn _ -> k end)
end
` } },
    { name: 'a per-entity stateless server is not a singleton', files: { 'a.ex': `defmodule Shop.Room do
  use GenServer
  def start_link(id), do: GenServer.start_link(__MODULE__, id, name: {:via, Registry, {Shop.Rooms, id}})
  def handle_call(:ping, _from, s), do: {:reply, :pong, s}
end
` } },
    { name: 'state passed to a helper counts as needed', files: { 'a.ex': `defmodule Shop.Helper do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call(msg, _from, state), do: do_call(msg, state)
  defp do_call(_msg, state), do: {:reply, :ok, state}
end
` } },
  ],
});

runTable('blocking-callback', {
  invalid: [
    { name: 'HTTP, sleep, shell and file I/O in handle_call', files: { 'a.ex': `defmodule Shop.Slow do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call({:quote, zip}, _from, state) do
    %{body: body} = HTTPoison.get!("https://rates.example/" <> zip) # expect: blocking-callback
    Process.sleep(50) # expect: blocking-callback
    {out, 0} = System.cmd("wkhtmltopdf", [zip]) # expect: blocking-callback
    File.write!("/tmp/quote", out) # expect: blocking-callback
    {:reply, body, Map.put(state, zip, body)}
  end
end
` } },
    { name: 'Req in a helper reached from handle_cast', files: { 'a.ex': `defmodule Shop.Tracker do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_cast({:track, n}, state), do: {:noreply, Map.put(state, n, poll(n))}
  defp poll(n) do
    Req.get!(url: "https://track.example/" <> n).body # expect: blocking-callback
  end
end
` } },
    { name: 'a function named like the state variable is not the state', files: { 'a.ex': `defmodule Shop.Sync do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call(:sync, _from, state) do
    body = Req.get!(Shop.Config.state(:endpoint)).body # expect: blocking-callback
    {:reply, body, Map.put(state, :last, body)}
  end
end
` } },
    { name: ':timer.sleep and :httpc', files: { 'a.ex': `defmodule Shop.Legacy do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: :legacy)
  def handle_call(:go, _from, s) do
    :timer.sleep(100) # expect: blocking-callback
    {:ok, r} = :httpc.request(~c"http://legacy.example") # expect: blocking-callback
    {:reply, r, [r | s]}
  end
end
` } },
  ],
  valid: [
    { name: 'slow work in a Task with a deferred reply', files: { 'a.ex': `defmodule Shop.Async do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call({:fetch, url}, from, s) do
    Task.Supervisor.start_child(Shop.TaskSupervisor, fn -> GenServer.reply(from, HTTPoison.get!(url)) end)
    {:noreply, s}
  end
end
` } },
    { name: 'sleep in handle_info (a periodic job, no caller waits)', files: { 'a.ex': `defmodule Shop.Poller do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_info(:poll, s) do
    Process.sleep(10)
    {:noreply, s}
  end
end
` } },
    { name: 'work that needs the state', files: { 'a.ex': `defmodule Shop.Uploader do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call(:flush, _from, state) do
    File.write!(state.path, state.buffer)
    {:reply, :ok, %{state | buffer: []}}
  end
end
` } },
    { name: 'a handler that takes the waiting callers and answers them together', files: { 'a.ex': `defmodule Shop.Builder do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call({:build, target}, from, state) do
    waiting = collect([from], target)
    {out, _} = System.cmd("make", [target])
    Enum.each(waiting, &GenServer.reply(&1, out))
    {:noreply, state}
  end
  defp collect(acc, target) do
    receive do
      {:"$gen_call", from, {:build, ^target}} -> collect([from | acc], target)
    after
      0 -> acc
    end
  end
end
` } },
    { name: 'cheap file metadata calls', files: { 'a.ex': `defmodule Shop.Dirs do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call({:reset, dir}, _from, state) do
    File.rm_rf(dir)
    {:reply, File.ls(dir), Map.put(state, dir, :reset)}
  end
end
` } },
    { name: 'work in a helper that is given the state', files: { 'a.ex': `defmodule Shop.Flusher do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def handle_call(:flush, _from, s), do: {:reply, write(s), %{s | buffer: []}}
  defp write(s), do: File.write!("/var/log/shop.log", s.buffer)
end
` } },
    { name: 'a per-entity process may block itself', files: { 'a.ex': `defmodule Shop.Session do
  use GenServer
  def start_link(id), do: GenServer.start_link(__MODULE__, id, name: {:via, Registry, {Shop.Sessions, id}})
  def handle_call(:ping, _from, s) do
    Process.sleep(10)
    {:reply, :pong, s}
  end
end
` } },
    { name: 'slow work in the client function runs in the caller', files: { 'a.ex': `defmodule Shop.Client do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def fetch(url) do
    body = HTTPoison.get!(url).body
    GenServer.cast(__MODULE__, {:store, url, body})
  end
  def handle_cast({:store, url, body}, state), do: {:noreply, Map.put(state, url, body)}
end
` } },
  ],
});

runTable('self-call', {
  invalid: [
    { name: 'through its own client function', files: { 'a.ex': `defmodule Shop.Sessions do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def count, do: GenServer.call(__MODULE__, :count)
  def handle_call(:count, _from, s), do: {:reply, map_size(s), s}
  def handle_call(:stats, _from, s) do
    {:reply, %{count: count()}, s} # expect: self-call
  end
end
` } },
    { name: 'GenServer.call(self(), …) in handle_info', files: { 'a.ex': `defmodule Shop.Reporter do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{})
  def handle_call(:snapshot, _from, s), do: {:reply, s, s}
  def handle_info(:report, s) do
    snap = GenServer.call(self(), :snapshot) # expect: self-call
    IO.inspect(snap)
    {:noreply, s}
  end
end
` } },
    { name: 'two helpers deep, from handle_cast', files: { 'a.ex': `defmodule Shop.Deep do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def size, do: GenServer.call(__MODULE__, :size)
  def handle_cast(:prune, s), do: {:noreply, prune(s)} # expect: self-call
  defp prune(s), do: if(check(), do: %{}, else: s)
  defp check, do: size() > 10
  def handle_call(:size, _from, s), do: {:reply, map_size(s), s}
end
` } },
    { name: 'a globally registered server calling its {:global, __MODULE__} name', files: { 'a.ex': `defmodule Shop.Leader do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: {:global, __MODULE__})
  def term, do: GenServer.call({:global, __MODULE__}, :term)
  def handle_call(:term, _from, n), do: {:reply, n, n}
  def handle_info(:tick, n), do: {:noreply, n + term()} # expect: self-call
end
` } },
    { name: 'an Agent function that reads its own Agent', files: { 'a.ex': `defmodule Shop.Prefs do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> %{} end, name: __MODULE__)
  def all, do: Agent.get(__MODULE__, & &1)
  def put(k, v), do: Agent.update(__MODULE__, fn s -> Map.merge(s, Map.put(all(), k, v)) end) # expect: self-call
end
` } },
  ],
  valid: [
    { name: 'a cast to itself does not wait', files: { 'a.ex': `defmodule Shop.Buffer do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)
  def flush, do: GenServer.cast(__MODULE__, :flush)
  def handle_cast({:add, x}, s) do
    if length(s) > 100, do: flush()
    {:noreply, [x | s]}
  end
  def handle_cast(:flush, _s), do: {:noreply, []}
end
` } },
    { name: 'a call from a Task does not block the server', files: { 'a.ex': `defmodule Shop.Later do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def handle_cast(:later, s) do
    Task.start(fn -> GenServer.call(__MODULE__, :get) end)
    {:noreply, s}
  end
  def handle_call(:get, _from, s), do: {:reply, s, s}
end
` } },
    { name: 'calling another server', files: { 'a.ex': `defmodule Shop.Orders do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def handle_call(:total, _from, s), do: {:reply, GenServer.call(Shop.Prices, :total), s}
end
` } },
    { name: 'a client function not called from callbacks', files: { 'a.ex': `defmodule Shop.Plain do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def get, do: GenServer.call(__MODULE__, :get)
  def handle_call(:get, _from, s), do: {:reply, s, s + 1}
end
` } },
  ],
});

describe('suppressions', () => {
  test('next-line and file-level comments silence the named rule only', async () => {
    const text = `defmodule Shop.S do
  # chokepoint-disable-next-line stateless-server -- kept for the demo
  use GenServer # expect: repo-in-server
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def handle_call(:x, _f, s) do
    # chokepoint-disable-next-line repo-in-server
    {:reply, Shop.Repo.all(X), s}
  end
  def handle_call(:y, _f, s), do: {:reply, Shop.Repo.all(Y), s} # expect: repo-in-server
end
`;
    const { findings } = await analyzeSources({ 'a.ex': text });
    assert.deepEqual(findings.map((f) => `${f.range.start.line}:${f.ruleId}`).sort(), expectations(text));
    const fileLevel = `# chokepoint-disable-file repo-in-server, stateless-server\n${text}`;
    assert.deepEqual((await analyzeSources({ 'a.ex': fileLevel })).findings, []);
  });

  test('settings turn a rule off or change its severity', async () => {
    const text = singleton(`  def handle_call(:x, _f, s), do: {:reply, Shop.Repo.all(X), s}`);
    const off = await analyzeSources({ 'a.ex': text }, { rules: { 'repo-in-server': 'off', 'stateless-server': 'off' } });
    assert.deepEqual(off.findings, []);
    const error = await analyzeSources({ 'a.ex': text }, { rules: { 'repo-in-server': 'error' } });
    assert.ok(error.findings.filter((f) => f.ruleId === 'repo-in-server').every((f) => f.severity === 'error'));
  });
});

test('Agent functions written as captures, with or without parentheses, read the state', async () => {
  const { models } = await analyzeSources({ 'flags.ex': `defmodule Shop.Flags do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> %{x: 1} end, name: __MODULE__)
  def over?(t), do: Agent.get(__MODULE__, &(t >= &1.x))
  def x, do: Agent.get(__MODULE__, &(&1.x))
  def all, do: Agent.get(__MODULE__, & &1)
  def keys, do: Agent.get(__MODULE__, &Map.keys/1)
  def one(k), do: Agent.get(__MODULE__, &Map.get(&1, k))
  def constant, do: Agent.get(__MODULE__, fn _ -> 1 end)
end
` });
  const handlers = models[0].serializers[0].handlers.map((h) => `${h.stateUse}/${h.stateAccess}`);
  assert.deepEqual(handlers, ['read/whole', 'read/whole', 'read/whole', 'read/whole', 'read/keyed', 'ignored/none']);
});

runTable('hot-path-call', {
  invalid: [
    { name: 'a GraphQL field whose resolver waits on a singleton', files: {
      'lib/shop/state.ex': `defmodule Shop.State do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def flow(id), do: GenServer.call(__MODULE__, {:flow, id})
  def init(s), do: {:ok, s}
  def handle_call({:flow, id}, _from, s), do: {:reply, Shop.Repo.get(Flow, id), s}
end
`,
      'lib/shop_web/resolvers/flows.ex': `defmodule ShopWeb.Resolvers.Flows do
  def flow(_parent, %{id: id}, _resolution), do: {:ok, Shop.State.flow(id)}
end
`,
      'lib/shop_web/schema/flow_types.ex': `defmodule ShopWeb.Schema.FlowTypes do
  use Absinthe.Schema.Notation
  alias ShopWeb.Resolvers

  object :flow_queries do
    field :flow, :flow do
      arg :id, non_null(:id)
      resolve(&Resolvers.Flows.flow/3) # expect: hot-path-call
    end
  end
end
`,
    } },
  ],
  valid: [],
});
