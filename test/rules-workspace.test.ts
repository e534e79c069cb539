// Rule tables for the cross-file rules (global-state-server, keyed-state-server, scattered-calls,
// unsupervised-start, hot-path-call) and for what the older rules (repo-in-server, blocking-callback,
// self-call, stateless-server) see across files. Same shape as rules.test.ts: each case is a small project
// (file name -> source; `lib/…` is application code, `test/…` a test), `# expect: <rule>` marks the lines
// that must carry the rule's finding, and every other file of the case must carry none of it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeSources, elixirRejects } from './helpers';
import { runTable, SNIPPETS } from './rule-table';


// ---------------------------------------------------------------------------------------------------
// global-state-server
// ---------------------------------------------------------------------------------------------------

const settingsAgent = `defmodule Shop.Settings do
  use Agent # expect: global-state-server
  def start_link(_), do: Agent.start_link(fn -> %{currency: "EUR", banner: nil} end, name: __MODULE__)
  def all, do: Agent.get(__MODULE__, & &1)
  def currency, do: Agent.get(__MODULE__, & &1.currency)
  def put(changes), do: Agent.update(__MODULE__, &Map.merge(&1, changes))
end
`;

/** A server with one message, given three callers in other modules. */
const threeReaders = (server: string, module: string, call: string) => ({
  'lib/shop/server.ex': server,
  'lib/shop_web/controllers/a_controller.ex': `defmodule ShopWeb.AController do
  use ShopWeb, :controller
  def index(conn, _params), do: json(conn, ${module}.${call})
end
`,
  'lib/shop_web/live/b_live.ex': `defmodule ShopWeb.BLive do
  use ShopWeb, :live_view
  def mount(_params, _session, socket), do: {:ok, assign(socket, value: ${module}.${call})}
end
`,
  'lib/shop/reports.ex': `defmodule Shop.Reports do
  def daily, do: %{value: ${module}.${call}}
end
`,
});

runTable('global-state-server', {
  invalid: [
    { name: 'an Agent of settings read from three modules and written from one', files: {
      'lib/shop/settings.ex': settingsAgent,
      'lib/shop_web/controllers/checkout_controller.ex': `defmodule ShopWeb.CheckoutController do
  use ShopWeb, :controller
  def new(conn, _params), do: render(conn, :new, currency: Shop.Settings.currency())
end
`,
      'lib/shop_web/live/cart_live.ex': `defmodule ShopWeb.CartLive do
  use ShopWeb, :live_view
  def mount(_params, _session, socket), do: {:ok, assign(socket, settings: Shop.Settings.all())}
end
`,
      'lib/shop/mailer.ex': `defmodule Shop.Mailer do
  alias Shop.Settings
  def footer, do: "Prices in " <> Settings.currency()
end
`,
      'lib/shop_web/controllers/admin/settings_controller.ex': `defmodule ShopWeb.Admin.SettingsController do
  use ShopWeb, :controller
  def update(conn, %{"settings" => changes}) do
    Shop.Settings.put(changes)
    redirect(conn, to: "/admin")
  end
end
`,
    } },
    { name: 'a GenServer that hands out its whole state and replaces it, read from several callers', files: {
      'lib/shop/flags.ex': `defmodule Shop.Flags do
  use GenServer # expect: global-state-server
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def all, do: GenServer.call(__MODULE__, :all)
  def replace(flags), do: GenServer.call(__MODULE__, {:replace, flags})
  def init(flags), do: {:ok, flags}
  def handle_call(:all, _from, flags), do: {:reply, flags, flags}
  def handle_call({:replace, new_flags}, _from, _flags), do: {:reply, :ok, new_flags}
end
`,
      'lib/shop_web/controllers/page_controller.ex': `defmodule ShopWeb.PageController do
  use ShopWeb, :controller
  def home(conn, _params), do: render(conn, :home, flags: Shop.Flags.all())
  def about(conn, _params), do: render(conn, :about, flags: Shop.Flags.all())
end
`,
      'lib/shop/checkout.ex': `defmodule Shop.Checkout do
  def express?, do: Map.get(Shop.Flags.all(), :express, false)
end
`,
      'lib/shop_web/controllers/admin/flag_controller.ex': `defmodule ShopWeb.Admin.FlagController do
  use ShopWeb, :controller
  def update(conn, %{"flags" => flags}) do
    :ok = Shop.Flags.replace(flags)
    redirect(conn, to: "/admin/flags")
  end
end
`,
    } },
    { name: 'set once in init and only read', files: threeReaders(`defmodule Shop.TaxRates do
  use GenServer # expect: global-state-server
  def start_link(rates), do: GenServer.start_link(__MODULE__, rates, name: __MODULE__)
  def init(rates), do: {:ok, Map.new(rates)}
  def rates, do: GenServer.call(__MODULE__, :rates)
  def handle_call(:rates, _from, rates), do: {:reply, Map.to_list(rates), rates}
end
`, 'Shop.TaxRates', 'rates()') },
    { name: 'callers counted through a client function with a default argument', files: {
      'lib/shop/config_store.ex': `defmodule Shop.ConfigStore do
  use Agent # expect: global-state-server
  def start_link(_), do: Agent.start_link(fn -> %{} end, name: __MODULE__)
  def fetch(key, default \\\\ nil), do: Agent.get(__MODULE__, &Map.get(&1, key, default))
  def load(map), do: Agent.update(__MODULE__, &Map.merge(&1, map))
end
`,
      'lib/shop/a.ex': `defmodule Shop.A do
  def x, do: Shop.ConfigStore.fetch(:x)
  def y, do: Shop.ConfigStore.fetch(:y, 0)
end
`,
      'lib/shop/b.ex': `defmodule Shop.B do
  def z, do: Shop.ConfigStore.fetch(:z)
  def boot(map), do: Shop.ConfigStore.load(map)
end
`,
    } },
  ],
  valid: [
    { name: 'a map keyed per user (that is keyed-state-server)', files: threeReaders(`defmodule Shop.Sessions do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(s), do: {:ok, s}
  def get(user_id), do: GenServer.call(__MODULE__, {:get, user_id})
  def handle_call({:get, user_id}, _from, state), do: {:reply, Map.get(state, user_id), state}
  def handle_cast({:put, user_id, s}, state), do: {:noreply, Map.put(state, user_id, s)}
  def handle_cast({:drop, user_id}, state), do: {:noreply, Map.delete(state, user_id)}
end
`, 'Shop.Sessions', 'get(1)') },
    { name: 'a counter whose every message changes the state', files: threeReaders(`defmodule Shop.OrderNumbers do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 1000, name: __MODULE__)
  def init(n), do: {:ok, n}
  def next, do: GenServer.call(__MODULE__, :next)
  def handle_call(:next, _from, n), do: {:reply, n, n + 1}
end
`, 'Shop.OrderNumbers', 'next()') },
    { name: 'a server that owns an ETS table', files: threeReaders(`defmodule Shop.PriceTable do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state) do
    :ets.new(:prices, [:named_table, read_concurrency: true])
    {:ok, state}
  end
  def all, do: GenServer.call(__MODULE__, :all)
  def handle_call(:all, _from, state), do: {:reply, state, state}
end
`, 'Shop.PriceTable', 'all()') },
    { name: 'one process per tenant behind a Registry', files: threeReaders(`defmodule Shop.TenantConfig do
  use GenServer
  def start_link(tenant), do: GenServer.start_link(__MODULE__, %{}, name: {:via, Registry, {Shop.Tenants, tenant}})
  def init(s), do: {:ok, s}
  def all(tenant), do: GenServer.call({:via, Registry, {Shop.Tenants, tenant}}, :all)
  def handle_call(:all, _from, state), do: {:reply, state, state}
end
`, 'Shop.TenantConfig', 'all(:acme)') },
    { name: 'a callback that rebinds the state ({reply, state} = step(state)) changes it', files: threeReaders(`defmodule Shop.Sequencer do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{n: 0}, name: __MODULE__)
  def init(s), do: {:ok, s}
  def next, do: GenServer.call(__MODULE__, :next)
  def handle_call(:next, _from, state) do
    {reply, state} = step(state)
    {:reply, reply, state}
  end
  defp step(%{n: n} = s), do: {n, %{s | n: n + 1}}
end
`, 'Shop.Sequencer', 'next()') },
    // Without application callers the rule counts callbacks: two reads against one write is 2 < 2 × 1. The
    // replace callback ignores the old state (`_flags`), returns a new one, and is still a write.
    { name: 'callbacks counted: two reads against one replace that ignores the old state', files: {
      'lib/shop/flags.ex': `defmodule Shop.Flags do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(flags), do: {:ok, flags}
  def handle_call(:all, _from, flags), do: {:reply, flags, flags}
  def handle_call(:names, _from, flags), do: {:reply, Map.keys(flags), flags}
  def handle_cast({:replace, new_flags}, _flags), do: {:noreply, new_flags}
end
`,
    } },
    { name: 'a reply computed by a function given the state (undecided)', files: threeReaders(`defmodule Shop.TokenClient do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{token: nil}, name: __MODULE__)
  def init(s), do: {:ok, s}
  def profile(id), do: GenServer.call(__MODULE__, {:profile, id})
  def handle_call({:profile, id}, _from, state) do
    with_token(state, fn token -> {token, id} end)
  end
  defp with_token(state, fun), do: {:reply, fun.(state.token), state}
end
`, 'Shop.TokenClient', 'profile(7)') },
  ],
});

// ---------------------------------------------------------------------------------------------------
// keyed-state-server
// ---------------------------------------------------------------------------------------------------

const sessionsServer = (registration: string, expect = ' # expect: keyed-state-server') => `defmodule Shop.UserSessions do
  use GenServer${expect}
  def start_link(id), do: GenServer.start_link(__MODULE__, %{}, name: ${registration})
  def init(state), do: {:ok, state}
  def handle_call({:get, user_id}, _from, state), do: {:reply, Map.get(state, user_id), state}
  def handle_cast({:put, user_id, session}, state), do: {:noreply, Map.put(state, user_id, session)}
  def handle_cast({:drop, user_id}, state), do: {:noreply, Map.delete(state, user_id)}
end
`;

runTable('keyed-state-server', {
  invalid: [
    { name: 'a GenServer keyed by the user_id of each message', files: {
      'lib/shop/user_sessions.ex': sessionsServer('__MODULE__'),
      'lib/shop_web/controllers/session_controller.ex': `defmodule ShopWeb.SessionController do
  use ShopWeb, :controller
  def create(conn, %{"user_id" => user_id}) do
    GenServer.cast(Shop.UserSessions, {:put, user_id, %{at: System.system_time()}})
    json(conn, GenServer.call(Shop.UserSessions, {:get, user_id}))
  end
end
`,
    } },
    { name: 'an Agent whose client functions take the id', files: {
      'lib/shop/carts.ex': `defmodule Shop.Carts do
  use Agent # expect: keyed-state-server
  def start_link(_), do: Agent.start_link(fn -> %{} end, name: __MODULE__)
  def get(id), do: Agent.get(__MODULE__, &Map.get(&1, id))
  def put(id, cart), do: Agent.update(__MODULE__, &Map.put(&1, id, cart))
end
`,
      'lib/shop_web/live/cart_live.ex': `defmodule ShopWeb.CartLive do
  use ShopWeb, :live_view
  def mount(%{"id" => id}, _session, socket), do: {:ok, assign(socket, cart: Shop.Carts.get(id))}
  def handle_event("add", %{"item" => item}, socket) do
    Shop.Carts.put(socket.assigns.id, [item | socket.assigns.cart])
    {:noreply, socket}
  end
end
`,
    } },
    { name: 'put_in(state.sessions[id], s) and state.sessions[id]', files: {
      'lib/shop/presence.ex': `defmodule Shop.Presence do
  use GenServer # expect: keyed-state-server
  def start_link(_), do: GenServer.start_link(__MODULE__, %{sessions: %{}}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:lookup, id}, _from, state), do: {:reply, state.sessions[id], state}
  def handle_cast({:join, id, s}, state), do: {:noreply, put_in(state.sessions[id], s)}
end
`,
    } },
  ],
  valid: [
    { name: 'the same server, one process per user behind a Registry', files: {
      'lib/shop/user_sessions.ex': sessionsServer('{:via, Registry, {Shop.SessionRegistry, id}}', ''),
    } },
    { name: 'a cache with a single keyed callback', files: {
      'lib/shop/geo_cache.ex': `defmodule Shop.GeoCache do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:lookup, ip}, _from, state) do
    country = Map.get(state, ip, :unknown)
    {:reply, country, Map.put(state, ip, country)}
  end
end
`,
    } },
    { name: 'a server that monitors the owner of each key (keep)', files: {
      'lib/shop/locks.ex': `defmodule Shop.Locks do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:lock, key}, {pid, _tag}, state) do
    Process.monitor(pid)
    {:reply, :ok, Map.put(state, key, pid)}
  end
  def handle_call({:owner, key}, _from, state), do: {:reply, Map.get(state, key), state}
  def handle_cast({:unlock, key}, state), do: {:noreply, Map.delete(state, key)}
end
`,
    } },
    { name: 'a write that replaces the whole state', files: {
      'lib/shop/stock.ex': `defmodule Shop.Stock do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:get, sku}, _from, state), do: {:reply, Map.get(state, sku, 0), state}
  def handle_cast({:set, sku, n}, state), do: {:noreply, Map.put(state, sku, n)}
  def handle_cast({:load, rows}, state), do: {:noreply, Map.merge(state, Map.new(rows))}
end
`,
    } },
  ],
});

// ---------------------------------------------------------------------------------------------------
// scattered-calls
// ---------------------------------------------------------------------------------------------------

const store = `defmodule Shop.Store do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def get(id), do: GenServer.call(__MODULE__, {:get, id})
  def handle_call({:get, id}, _from, state), do: {:reply, Map.get(state, id), state}
  def handle_cast({:put, id, v}, state), do: {:noreply, Map.put(state, id, v)}
end
`;

const counter = `defmodule Shop.Hits do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
  def init(n), do: {:ok, n}
  def handle_call(:count, _from, n), do: {:reply, n, n}
  def handle_cast({:add, k}, n), do: {:noreply, n + k}
end
`;

/** A LiveView that sends Shop.Store the {:get, id} message its client function get/1 sends. */
const itemLive = `defmodule ShopWeb.ItemLive do
  use ShopWeb, :live_view
  def mount(%{"id" => id}, _session, socket) do
    item = GenServer.call(Shop.Store, {:get, id}) # expect: scattered-calls
    {:ok, assign(socket, item: item)}
  end
end
`;

runTable('scattered-calls', {
  invalid: [
    { name: 'a LiveView sends the message a client function sends', files: {
      'lib/shop/store.ex': store,
      'lib/shop_web/live/item_live.ex': itemLive,
    } },
    { name: 'a controller through an alias', files: {
      'lib/shop/store.ex': store,
      'lib/shop_web/controllers/item_controller.ex': `defmodule ShopWeb.ItemController do
  use ShopWeb, :controller
  alias Shop.Store
  def show(conn, %{"id" => id}), do: json(conn, GenServer.call(Store, {:get, id})) # expect: scattered-calls
end
`,
    } },
    // get!/1 calls get/1, so two client functions reach the {:get, id} call: the message names neither, but
    // the server does send this message itself, so one raw module is not its client API.
    { name: 'one raw module, the message sent by get/1 and by get!/1 that calls it', files: {
      'lib/shop/store.ex': store.replace('  def handle_call', '  def get!(id), do: get(id) || raise(ArgumentError, "no item")\n  def handle_call'),
      'lib/shop_web/live/item_live.ex': itemLive,
    } },
    { name: 'raw calls from two modules, no client functions', files: {
      'lib/shop/hits.ex': counter,
      'lib/shop_web/plugs/count_hits.ex': `defmodule ShopWeb.Plugs.CountHits do
  def count(conn) do
    GenServer.cast(Shop.Hits, {:add, 1}) # expect: scattered-calls
    conn
  end
end
`,
      'lib/shop/stats.ex': `defmodule Shop.Stats do
  def hits, do: GenServer.call(Shop.Hits, :count) # expect: scattered-calls
end
`,
    } },
  ],
  valid: [
    { name: 'one facade module sends every raw message (it is the client API)', files: {
      'lib/shop/github/server.ex': `defmodule Shop.GitHub.Server do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: Shop.GitHub)
  def init(opts), do: {:ok, %{token: opts[:token], etags: %{}}}
  def handle_call({:repo, name}, _from, state), do: {:reply, {name, state.token}, state}
  def handle_call({:remember, url, etag}, _from, state), do: {:reply, :ok, put_in(state.etags[url], etag)}
end
`,
      'lib/shop/github.ex': `defmodule Shop.GitHub do
  def repo(name), do: GenServer.call(Shop.GitHub, {:repo, name})
  def remember(url, etag), do: GenServer.call(Shop.GitHub, {:remember, url, etag})
end
`,
      'lib/shop_web/controllers/repo_controller.ex': `defmodule ShopWeb.RepoController do
  use ShopWeb, :controller
  def show(conn, %{"name" => name}), do: json(conn, Shop.GitHub.repo(name))
end
`,
    } },
    { name: 'raw calls inside the server’s own module', files: {
      'lib/shop/hits.ex': counter.replace('  def init(n)', '  def add(k), do: GenServer.cast(__MODULE__, {:add, k})\n  def count, do: GenServer.call(Shop.Hits, :count)\n  def init(n)'),
      'lib/shop/stats.ex': `defmodule Shop.Stats do
  def hits, do: Shop.Hits.count()
end
`,
    } },
    { name: 'the same raw call in a test file', files: {
      'lib/shop/store.ex': store,
      'test/shop/store_test.exs': `defmodule Shop.StoreTest do
  use ExUnit.Case
  test "get" do
    GenServer.cast(Shop.Store, {:put, 1, :a})
    assert GenServer.call(Shop.Store, {:get, 1}) == :a
  end
end
`,
    } },
    { name: 'a call to a pid variable (dynamic target)', files: {
      'lib/shop/store.ex': store,
      'lib/shop/a.ex': `defmodule Shop.A do
  def get(pid, id), do: GenServer.call(pid, {:get, id})
end
`,
      'lib/shop/b.ex': `defmodule Shop.B do
  def put(server, id, v), do: GenServer.cast(server, {:put, id, v})
end
`,
    } },
    { name: 'GenServer.stop from other modules', files: {
      'lib/shop/hits.ex': counter,
      'lib/shop/a.ex': `defmodule Shop.A do
  def halt, do: GenServer.stop(Shop.Hits)
end
`,
      'lib/shop/b.ex': `defmodule Shop.B do
  def halt, do: GenServer.stop(Shop.Hits, :normal)
end
`,
    } },
  ],
});

// ---------------------------------------------------------------------------------------------------
// unsupervised-start
// ---------------------------------------------------------------------------------------------------

const worker = `defmodule Shop.Worker do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg)
  def start(arg), do: GenServer.start(__MODULE__, arg)
  def init(arg), do: {:ok, arg}
  def handle_call(:run, _from, arg), do: {:reply, arg, arg}
end
`;

runTable('unsupervised-start', {
  invalid: [
    { name: 'GenServer.start and Worker.start (unlinked) from a plain function', files: {
      'lib/shop/worker.ex': worker,
      'lib/shop/jobs.ex': `defmodule Shop.Jobs do
  def run(arg) do
    {:ok, a} = GenServer.start(Shop.Worker, arg) # expect: unsupervised-start
    {:ok, b} = Shop.Worker.start(arg) # expect: unsupervised-start
    [a, b]
  end
end
`,
    } },
    { name: 'Worker.start_link inside a controller action', files: {
      'lib/shop/worker.ex': worker,
      'lib/shop_web/controllers/job_controller.ex': `defmodule ShopWeb.JobController do
  use ShopWeb, :controller
  alias Shop.Worker
  def create(conn, params) do
    {:ok, pid} = Worker.start_link(params) # expect: unsupervised-start
    json(conn, %{started: inspect(pid)})
  end
end
`,
    } },
    { name: 'spawn in a controller action, also through a helper module', files: {
      'lib/shop/emails.ex': `defmodule Shop.Emails do
  def deliver_later(email), do: spawn(fn -> deliver(email) end) # expect: unsupervised-start
  def deliver(email), do: email
end
`,
      'lib/shop_web/controllers/order_controller.ex': `defmodule ShopWeb.OrderController do
  use ShopWeb, :controller
  def create(conn, %{"order" => order}) do
    spawn(fn -> Shop.Emails.deliver(order) end) # expect: unsupervised-start
    Shop.Emails.deliver_later(order)
    redirect(conn, to: "/orders")
  end
end
`,
    } },
    { name: 'a start_link in Application.start/2 before the supervisor', files: {
      'lib/shop/cache.ex': `defmodule Shop.Cache do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  def init(opts), do: {:ok, opts}
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    {:ok, _} = Shop.Cache.start_link([]) # expect: unsupervised-start
    children = [Shop.Repo, ShopWeb.Endpoint]
    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end
end
`,
    } },
  ],
  valid: [
    { name: 'GenServer.start_link in the module’s own start_link', files: {
      'lib/shop/worker.ex': worker,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args), do: Supervisor.start_link([{Shop.Worker, :a}], strategy: :one_for_one)
end
`,
    } },
    { name: 'a server starts its helpers (linked in init, unlinked from a callback’s private function)', files: {
      'lib/shop/helper.ex': `defmodule Shop.Helper do
  use GenServer
  def start_link, do: GenServer.start_link(__MODULE__, nil)
  def start, do: GenServer.start(__MODULE__, nil)
  def init(s), do: {:ok, s}
end
`,
      'lib/shop/owner.ex': `defmodule Shop.Owner do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(_) do
    {:ok, helper} = Shop.Helper.start_link()
    {:ok, %{helper: helper}}
  end
  def handle_cast(:spare_helper, state), do: {:noreply, Map.put(state, :spare, spare())}
  defp spare do
    {:ok, pid} = Shop.Helper.start()
    pid
  end
end
`,
    } },
    { name: 'spawn_link in a LiveView handle_event', files: {
      'lib/shop_web/live/import_live.ex': `defmodule ShopWeb.ImportLive do
  use ShopWeb, :live_view
  def handle_event("import", %{"file" => file}, socket) do
    lv = self()
    spawn_link(fn -> send(lv, {:imported, file}) end)
    {:noreply, socket}
  end
end
`,
    } },
    { name: 'fire-and-forget spawn and Task.start off the request path', files: {
      'lib/shop/warmup.ex': `defmodule Shop.Warmup do
  def run(keys) do
    spawn(fn -> Enum.each(keys, &IO.inspect/1) end)
    Task.start(fn -> length(keys) end)
    :ok
  end
end
`,
    } },
    { name: 'a mix task', files: {
      'lib/shop/worker.ex': worker,
      'lib/mix/tasks/shop.seed.ex': `defmodule Mix.Tasks.Shop.Seed do
  use Mix.Task
  def run(args) do
    {:ok, pid} = GenServer.start(Shop.Worker, args)
    GenServer.call(pid, :run)
  end
end
`,
    } },
    { name: 'a test file starting servers', files: {
      'lib/shop/worker.ex': worker,
      'test/shop/worker_test.exs': `defmodule Shop.WorkerTest do
  use ExUnit.Case
  test "runs" do
    {:ok, pid} = GenServer.start(Shop.Worker, :x)
    {:ok, _} = Shop.Worker.start(:y)
    spawn(fn -> :ok end)
    assert GenServer.call(pid, :run) == :x
  end
end
`,
    } },
  ],
});

// ---------------------------------------------------------------------------------------------------
// hot-path-call
// ---------------------------------------------------------------------------------------------------

const formatter = `defmodule Shop.Formatter do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(_), do: {:ok, nil}
  def money(cents), do: GenServer.call(__MODULE__, {:money, cents})
  def handle_call({:money, cents}, _from, state), do: {:reply, "#{div(cents, 100)} EUR", state}
end
`;

runTable('hot-path-call', {
  invalid: [
    { name: 'a controller action waits on a stateless singleton (plain module)', files: {
      'lib/shop/formatter.ex': formatter,
      'lib/shop_web/controllers/price_controller.ex': `defmodule ShopWeb.PriceController do
  use ShopWeb, :controller
  def show(conn, %{"cents" => cents}) do
    text(conn, Shop.Formatter.money(String.to_integer(cents))) # expect: hot-path-call
  end
end
`,
    } },
    { name: 'a LiveView mount reads a shared-state server', files: {
      'lib/shop/stock_levels.ex': `defmodule Shop.StockLevels do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(levels), do: {:ok, levels}
  def levels, do: GenServer.call(__MODULE__, :levels)
  def set(levels), do: GenServer.cast(__MODULE__, {:set, levels})
  def handle_call(:levels, _from, levels), do: {:reply, Map.to_list(levels), levels}
  def handle_cast({:set, new_levels}, _levels), do: {:noreply, new_levels}
end
`,
      'lib/shop_web/live/stock_live.ex': `defmodule ShopWeb.StockLive do
  use ShopWeb, :live_view
  def mount(_params, _session, socket) do
    {:ok, assign(socket, levels: Shop.StockLevels.levels())} # expect: hot-path-call
  end
end
`,
    } },
    { name: 'controller → context → client function of a singleton whose handler runs Repo.all', files: {
      'lib/shop_web/controllers/product_controller.ex': `defmodule ShopWeb.ProductController do
  use ShopWeb, :controller
  alias Shop.Catalog
  def index(conn, _params) do
    products = Catalog.featured() # expect: hot-path-call
    render(conn, :index, products: products)
  end
end
`,
      'lib/shop/catalog.ex': `defmodule Shop.Catalog do
  def featured, do: Shop.Catalog.Featured.list()
end
`,
      'lib/shop/catalog/featured.ex': `defmodule Shop.Catalog.Featured do
  use GenServer
  alias Shop.Repo
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def list, do: GenServer.call(__MODULE__, :list)
  def handle_call(:list, _from, state) do
    rows = Repo.all(Shop.Product)
    {:reply, rows, Map.put(state, :last, rows)}
  end
end
`,
    } },
    { name: 'a plug reads an Agent on every request', files: {
      'lib/shop/settings.ex': `defmodule Shop.Settings do
  use Agent
  def start_link(_), do: Agent.start_link(fn -> %{locale: "en"} end, name: __MODULE__)
  def locale, do: Agent.get(__MODULE__, & &1.locale)
  def put(changes), do: Agent.update(__MODULE__, &Map.merge(&1, changes))
end
`,
      'lib/shop_web/plugs/locale.ex': `defmodule ShopWeb.Plugs.Locale do
  @behaviour Plug
  def init(opts), do: opts
  def call(conn, _opts) do
    Plug.Conn.assign(conn, :locale, Shop.Settings.locale()) # expect: hot-path-call
  end
end
`,
    } },
    { name: 'a server named only by its child spec (name: opts[:name])', files: {
      'lib/shop/quotes.ex': `defmodule Shop.Quotes do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: opts[:name])
  def init(opts), do: {:ok, opts}
  def handle_call({:quote, zip}, _from, state), do: {:reply, {zip, 499}, state}
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    children = [{Shop.Quotes, name: Shop.Quotes}]
    Supervisor.start_link(children, strategy: :one_for_one)
  end
end
`,
      'lib/shop_web/controllers/shipping_controller.ex': `defmodule ShopWeb.ShippingController do
  use ShopWeb, :controller
  def show(conn, %{"zip" => zip}), do: json(conn, GenServer.call(Shop.Quotes, {:quote, zip})) # expect: hot-path-call
end
`,
    } },
    { name: 'a client function with a default argument', files: {
      'lib/shop/prices.ex': `defmodule Shop.Prices do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def init(_), do: {:ok, nil}
  def format(cents, currency \\\\ "EUR"), do: GenServer.call(__MODULE__, {:format, cents, currency})
  def handle_call({:format, cents, currency}, _from, state), do: {:reply, "#{cents} #{currency}", state}
end
`,
      'lib/shop_web/controllers/cart_controller.ex': `defmodule ShopWeb.CartController do
  use ShopWeb, :controller
  def show(conn, %{"cents" => cents}), do: text(conn, Shop.Prices.format(cents)) # expect: hot-path-call
end
`,
    } },
  ],
  valid: [
    { name: 'a GenServer.cast from a controller (nobody waits)', files: {
      'lib/shop/audit.ex': `defmodule Shop.Audit do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)
  def init(events), do: {:ok, events}
  def log(event), do: GenServer.cast(__MODULE__, {:log, event})
  def handle_cast({:log, event}, events) do
    Shop.Repo.insert!(%Shop.AuditEvent{data: event})
    {:noreply, [event | events]}
  end
end
`,
      'lib/shop_web/controllers/order_controller.ex': `defmodule ShopWeb.OrderController do
  use ShopWeb, :controller
  def create(conn, params) do
    Shop.Audit.log({:order, params})
    redirect(conn, to: "/")
  end
end
`,
    } },
    { name: 'a server whose verdict is keep (it uses PubSub and monitors)', files: {
      'lib/shop/notifier.ex': `defmodule Shop.Notifier do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def subscribe(topic), do: GenServer.call(__MODULE__, {:subscribe, topic})
  def watchers, do: GenServer.call(__MODULE__, :watchers)
  def handle_call({:subscribe, topic}, {pid, _}, state) do
    Process.monitor(pid)
    Phoenix.PubSub.subscribe(Shop.PubSub, topic)
    {:reply, :ok, Map.put(state, pid, topic)}
  end
  def handle_call(:watchers, _from, state), do: {:reply, map_size(state), state}
end
`,
      'lib/shop_web/live/feed_live.ex': `defmodule ShopWeb.FeedLive do
  use ShopWeb, :live_view
  def mount(_params, _session, socket) do
    :ok = Shop.Notifier.subscribe("feed")
    {:ok, assign(socket, watchers: Shop.Notifier.watchers())}
  end
end
`,
    } },
    { name: 'a per-entity server behind a Registry', files: {
      'lib/shop/cart_server.ex': `defmodule Shop.CartServer do
  use GenServer
  def start_link(id), do: GenServer.start_link(__MODULE__, [], name: via(id))
  def init(items), do: {:ok, items}
  def items(id), do: GenServer.call(via(id), :items)
  def handle_call(:items, _from, items), do: {:reply, items, items}
  defp via(id), do: {:via, Registry, {Shop.CartRegistry, id}}
end
`,
      'lib/shop_web/live/cart_live.ex': `defmodule ShopWeb.CartLive do
  use ShopWeb, :live_view
  def mount(%{"id" => id}, _session, socket), do: {:ok, assign(socket, items: Shop.CartServer.items(id))}
end
`,
    } },
    { name: 'a message that only changes a shared state, with no slow work (rate limiter)', files: {
      'lib/shop/rate_limiter.ex': `defmodule Shop.RateLimiter do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 100, name: __MODULE__)
  def init(tokens), do: {:ok, tokens}
  def acquire, do: GenServer.call(__MODULE__, :acquire)
  def refill(n), do: GenServer.cast(__MODULE__, {:refill, n})
  def handle_call(:acquire, _from, tokens) do
    if tokens > 0, do: {:reply, :ok, tokens - 1}, else: {:reply, {:error, :rate_limited}, tokens}
  end
  def handle_cast({:refill, n}, _tokens), do: {:noreply, n}
end
`,
      'lib/shop_web/plugs/rate_limit.ex': `defmodule ShopWeb.Plugs.RateLimit do
  @behaviour Plug
  def init(opts), do: opts
  def call(conn, _opts) do
    case Shop.RateLimiter.acquire() do
      :ok -> conn
      {:error, _} -> Plug.Conn.send_resp(conn, 429, "slow down")
    end
  end
end
`,
    } },
    { name: 'a name registered by two different servers (ambiguous)', files: {
      'lib/shop/mailer/smtp.ex': `defmodule Shop.Mailer.Smtp do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: :mailer)
  def init(s), do: {:ok, s}
  def handle_call({:deliver, email}, _from, s), do: {:reply, {:sent, email}, s}
end
`,
      'lib/shop/mailer/fake.ex': `defmodule Shop.Mailer.Fake do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, nil, name: :mailer)
  def init(s), do: {:ok, s}
  def handle_call({:deliver, email}, _from, s), do: {:reply, {:faked, email}, s}
end
`,
      'lib/shop_web/controllers/contact_controller.ex': `defmodule ShopWeb.ContactController do
  use ShopWeb, :controller
  def create(conn, %{"email" => email}), do: json(conn, GenServer.call(:mailer, {:deliver, email}))
end
`,
    } },
    { name: 'calls from a test file', files: {
      'lib/shop/formatter.ex': formatter,
      'test/support/fake_price_controller.ex': `defmodule ShopWeb.FakePriceController do
  use ShopWeb, :controller
  def show(conn, _params), do: text(conn, Shop.Formatter.money(100))
end
`,
      'test/shop_web/price_controller_test.exs': `defmodule ShopWeb.PriceControllerTest do
  use ShopWeb.ConnCase
  test "formats" do
    assert Shop.Formatter.money(100) == "1 EUR"
  end
end
`,
    } },
  ],
});

// ---------------------------------------------------------------------------------------------------
// The older rules across files
// ---------------------------------------------------------------------------------------------------

runTable('repo-in-server', {
  invalid: [
    { name: 'a handler calls a context function in another file that runs Repo.all', files: {
      'lib/shop/search_server.ex': `defmodule Shop.SearchServer do
  use GenServer # expect: repo-in-server
  alias Shop.Catalog
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:search, term}, _from, state) do
    results = Catalog.search(term) # expect: repo-in-server
    {:reply, results, Map.put(state, term, length(results))}
  end
end
`,
      'lib/shop/catalog.ex': `defmodule Shop.Catalog do
  import Ecto.Query
  alias Shop.Repo
  def search(term), do: Repo.all(from p in Shop.Product, where: ilike(p.name, ^term))
end
`,
    } },
    { name: 'Postgrex and Redix in a handler', files: {
      'lib/shop/counters.ex': `defmodule Shop.Counters do
  use GenServer # expect: repo-in-server
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:bump, key}, _from, state) do
    Postgrex.query!(Shop.DB, "UPDATE counters SET n = n + 1 WHERE key = $1", [key]) # expect: repo-in-server
    {:ok, n} = Redix.command(:redix, ["INCR", key]) # expect: repo-in-server
    {:reply, n, Map.put(state, key, n)}
  end
end
`,
    } },
    { name: 'named by a child spec in the Application, start_link takes name: Keyword.fetch!(opts, :name)', files: {
      'lib/shop/worker.ex': `defmodule Shop.Worker do
  use GenServer # expect: repo-in-server
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: Keyword.fetch!(opts, :name))
  def init(opts), do: {:ok, opts}
  def handle_call(:pending, _from, state), do: {:reply, Shop.Repo.all(Shop.Job), state} # expect: repo-in-server
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    children = [Shop.Repo, {Shop.Worker, name: Shop.Worker}]
    Supervisor.start_link(children, strategy: :one_for_one, name: Shop.Supervisor)
  end
end
`,
    } },
    { name: 'listed once in the Application, with no name', files: {
      'lib/shop/loader.ex': `defmodule Shop.Loader do
  use GenServer # expect: repo-in-server
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)
  def init(opts), do: {:ok, opts}
  def handle_call(:load, _from, state), do: {:reply, Shop.Repo.all(Shop.Row), state} # expect: repo-in-server
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    Supervisor.start_link([Shop.Repo, Shop.Loader], strategy: :one_for_one)
  end
end
`,
    } },
  ],
  valid: [
    { name: 'the context function is called from init only', files: {
      'lib/shop/search_server.ex': `defmodule Shop.SearchServer do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(_), do: {:ok, %{rows: Shop.Catalog.search("")}}
  def handle_call(:rows, _from, state), do: {:reply, state.rows, state}
end
`,
      'lib/shop/catalog.ex': `defmodule Shop.Catalog do
  def search(term), do: Shop.Repo.all({Shop.Product, term})
end
`,
    } },
    { name: 'started per entity with DynamicSupervisor, besides the Application child', files: {
      'lib/shop/loader.ex': `defmodule Shop.Loader do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)
  def init(opts), do: {:ok, opts}
  def handle_call(:load, _from, state), do: {:reply, Shop.Repo.all(Shop.Row), state}
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args) do
    Supervisor.start_link([Shop.Loader], strategy: :one_for_one)
  end
end
`,
      'lib/shop/loaders.ex': `defmodule Shop.Loaders do
  def start(id), do: DynamicSupervisor.start_child(Shop.LoaderSup, {Shop.Loader, id})
end
`,
    } },
  ],
});

runTable('blocking-callback', {
  invalid: [
    { name: 'Tesla.get! is a request (Tesla.client on the line before is not)', files: {
      'lib/shop/rates.ex': `defmodule Shop.Rates do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:rate, currency}, _from, state) do
    client = Tesla.client([{Tesla.Middleware.BaseURL, "https://rates.example"}])
    %{body: body} = Tesla.get!(client, "/x/" <> currency) # expect: blocking-callback
    {:reply, body, Map.put(state, currency, body)}
  end
end
`,
    } },
    { name: 'an HTTP call two modules away is reported on the handler’s line', files: {
      'lib/shop/shipping.ex': `defmodule Shop.Shipping do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:quote, zip}, _from, state) do
    price = Shop.Shipping.Carrier.quote(zip) # expect: blocking-callback
    {:reply, price, Map.put(state, zip, price)}
  end
end
`,
      'lib/shop/shipping/carrier.ex': `defmodule Shop.Shipping.Carrier do
  alias Shop.Shipping.Api
  def quote(zip), do: zip |> Api.fetch() |> Map.get("price")
end
`,
      'lib/shop/shipping/api.ex': `defmodule Shop.Shipping.Api do
  def fetch(zip), do: Req.get!("https://carrier.example/quote/" <> zip).body
end
`,
    } },
    { name: 'handler → Api.fetch/1 → Req.get!', files: {
      'lib/shop/weather.ex': `defmodule Shop.Weather do
  use GenServer
  alias Shop.Weather.Api
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call({:forecast, city}, _from, state), do: {:reply, Api.fetch(city), state} # expect: blocking-callback
end
`,
      'lib/shop/weather/api.ex': `defmodule Shop.Weather.Api do
  def fetch(city), do: Req.get!(url: "https://weather.example/" <> city).body
end
`,
    } },
  ],
  valid: [
    { name: 'Tesla.client alone builds a struct', files: {
      'lib/shop/rates.ex': `defmodule Shop.Rates do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call(:client, _from, state) do
    client = Tesla.client([{Tesla.Middleware.BaseURL, "https://rates.example"}])
    {:reply, client, state}
  end
end
`,
    } },
    { name: 'work in another module’s function that is given the state', files: {
      'lib/shop/sync.ex': `defmodule Shop.Sync do
  use GenServer
  def start_link(url), do: GenServer.start_link(__MODULE__, %{url: url}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call(:pull, _from, state), do: {:reply, Shop.Sync.Api.fetch(state.url), state}
end
`,
      'lib/shop/sync/api.ex': `defmodule Shop.Sync.Api do
  def fetch(url), do: Req.get!(url).body
end
`,
    } },
    { name: 'the HTTP call in another module runs in the caller (client function)', files: {
      'lib/shop/weather.ex': `defmodule Shop.Weather do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def forecast(city), do: GenServer.cast(__MODULE__, {:store, city, Shop.Weather.Api.fetch(city)})
  def handle_cast({:store, city, body}, state), do: {:noreply, Map.put(state, city, body)}
end
`,
      'lib/shop/weather/api.ex': `defmodule Shop.Weather.Api do
  def fetch(city), do: Req.get!(url: "https://weather.example/" <> city).body
end
`,
    } },
  ],
});

runTable('stateless-server', {
  invalid: [
    { name: 'listed once in the Application with no name, never uses its state', files: {
      'lib/shop/slugger.ex': `defmodule Shop.Slugger do
  use GenServer # expect: stateless-server
  def start_link(_), do: GenServer.start_link(__MODULE__, nil)
  def init(_), do: {:ok, nil}
  def handle_call({:slug, title}, _from, state), do: {:reply, String.downcase(title), state}
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args), do: Supervisor.start_link([Shop.Slugger], strategy: :one_for_one)
end
`,
    } },
  ],
  valid: [
    { name: 'a callback that rebinds the state (state = touch(state))', files: {
      'lib/shop/heartbeat.ex': `defmodule Shop.Heartbeat do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(state), do: {:ok, state}
  def handle_call(:ping, _from, state) do
    state = Shop.Clock.touch(state)
    {:reply, :pong, state}
  end
end
`,
      'lib/shop/clock.ex': `defmodule Shop.Clock do
  def touch(state), do: Map.put(state, :seen_at, System.monotonic_time())
end
`,
    } },
  ],
});

runTable('self-call', {
  invalid: [
    { name: 'named by a child spec, a callback calls its own client function', files: {
      'lib/shop/ledger.ex': `defmodule Shop.Ledger do
  use GenServer
  def start_link(opts), do: GenServer.start_link(__MODULE__, 0, name: opts[:name])
  def init(n), do: {:ok, n}
  def balance, do: GenServer.call(__MODULE__, :balance)
  def handle_call(:balance, _from, n), do: {:reply, n, n}
  def handle_call({:add, k}, _from, n), do: {:reply, balance() + k, n + k} # expect: self-call
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args), do: Supervisor.start_link([{Shop.Ledger, name: Shop.Ledger}], strategy: :one_for_one)
end
`,
    } },
    { name: 'through a function of another module that calls it back', files: {
      'lib/shop/inventory.ex': `defmodule Shop.Inventory do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def init(s), do: {:ok, s}
  def count(sku), do: GenServer.call(__MODULE__, {:count, sku})
  def handle_call({:count, sku}, _from, s), do: {:reply, Map.get(s, sku, 0), s}
  def handle_cast({:restock, sku}, s), do: {:noreply, Map.put(s, sku, Shop.Restock.amount(sku))} # expect: self-call
end
`,
      'lib/shop/restock.ex': `defmodule Shop.Restock do
  def amount(sku), do: max(0, 10 - Shop.Inventory.count(sku))
end
`,
    } },
  ],
  valid: [
    { name: 'listed once in the Application with no name: __MODULE__ is not its name', files: {
      'lib/shop/ledger.ex': `defmodule Shop.Ledger do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, 0)
  def init(n), do: {:ok, n}
  def balance, do: GenServer.call(__MODULE__, :balance)
  def handle_call(:balance, _from, n), do: {:reply, n, n}
  def handle_call({:add, k}, _from, n), do: {:reply, balance() + k, n + k}
end
`,
      'lib/shop/application.ex': `defmodule Shop.Application do
  use Application
  def start(_type, _args), do: Supervisor.start_link([Shop.Ledger], strategy: :one_for_one)
end
`,
    } },
  ],
});

/** A project for a message test, added to the snippets the Elixir syntax check reads. */
function project(label: string, files: Record<string, string>): Record<string, string> {
  for (const [name, text] of Object.entries(files)) SNIPPETS.push({ where: `messages › ${label} › ${name}`, text });
  return files;
}

const MESSAGE_PROJECTS = {
  scattered: project('scattered-calls', {
    'lib/shop/store.ex': store,
    'lib/shop_web/live/item_live.ex': `defmodule ShopWeb.ItemLive do
  use ShopWeb, :live_view
  def mount(%{"id" => id}, _session, socket), do: {:ok, assign(socket, item: GenServer.call(Shop.Store, {:get, id}))}
end
`,
  }),
  setOnce: project('global-state-server', threeReaders(`defmodule Shop.TaxRates do
  use GenServer
  def start_link(rates), do: GenServer.start_link(__MODULE__, rates, name: __MODULE__)
  def init(rates), do: {:ok, Map.new(rates)}
  def rates, do: GenServer.call(__MODULE__, :rates)
  def handle_call(:rates, _from, rates), do: {:reply, Map.to_list(rates), rates}
end
`, 'Shop.TaxRates', 'rates()')),
  chain: project('hot-path-call', {
    'lib/shop_web/controllers/product_controller.ex': `defmodule ShopWeb.ProductController do
  use ShopWeb, :controller
  def index(conn, _params), do: render(conn, :index, products: Shop.Catalog.featured())
end
`,
    'lib/shop/catalog.ex': 'defmodule Shop.Catalog do\n  def featured, do: Shop.Catalog.Featured.list()\nend\n',
    'lib/shop/catalog/featured.ex': `defmodule Shop.Catalog.Featured do
  use GenServer
  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  def list, do: GenServer.call(__MODULE__, :list)
  def handle_call(:list, _from, state), do: {:reply, Shop.Repo.all(Shop.Product), state}
end
`,
  }),
};

describe('messages', () => {
  test('scattered-calls names the matching client function', async () => {
    const { findings } = await analyzeSources(MESSAGE_PROJECTS.scattered);
    const messages = findings.filter((f) => f.ruleId === 'scattered-calls').map((f) => f.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /Call Shop\.Store\.get\/1 instead\./);
  });

  test('global-state-server says data set once belongs in :persistent_term', async () => {
    const { findings } = await analyzeSources(MESSAGE_PROJECTS.setOnce);
    const messages = findings.filter((f) => f.ruleId === 'global-state-server').map((f) => f.message);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /3 reading call sites against 0 writing/);
    assert.match(messages[0], /Data set once belongs in :persistent_term/);
  });

  test('hot-path-call through three files shows the chain and the query', async () => {
    const { findings } = await analyzeSources(MESSAGE_PROJECTS.chain);
    const hot = findings.filter((f) => f.ruleId === 'hot-path-call');
    assert.equal(hot.length, 1);
    assert.match(hot[0].message, /Catalog\.featured\/0 → Featured\.list\/0 → GenServer\.call/);
    assert.match(hot[0].message, /Repo\.all/);
  });
});

test('every snippet is valid Elixir', () => {
  const rejected = elixirRejects(SNIPPETS.map((s) => s.text));
  assert.deepEqual(rejected.map((r) => `${SNIPPETS[r.index].where}: ${r.error}`), []);
});
