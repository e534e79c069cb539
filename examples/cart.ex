defmodule Shop.Cart do
  @moduledoc """
  One process per shopping cart, found through `Shop.CartRegistry` and
  started on demand under `Shop.CartSupervisor`. Stops after 30 idle minutes.
  """

  use GenServer, restart: :transient

  alias Shop.Repo
  alias Shop.Catalog.Product

  @idle_timeout :timer.minutes(30)

  # Client API

  @spec open(String.t()) :: {:ok, pid()}
  def open(cart_id) do
    case DynamicSupervisor.start_child(Shop.CartSupervisor, {__MODULE__, cart_id}) do
      {:ok, pid} -> {:ok, pid}
      {:error, {:already_started, pid}} -> {:ok, pid}
    end
  end

  def start_link(cart_id) do
    GenServer.start_link(__MODULE__, cart_id, name: {:via, Registry, {Shop.CartRegistry, cart_id}})
  end

  def add_item(cart_id, sku, qty \\ 1), do: GenServer.call(via(cart_id), {:add_item, sku, qty})

  def remove_item(cart_id, sku), do: GenServer.cast(via(cart_id), {:remove_item, sku})

  def contents(cart_id), do: GenServer.call(via(cart_id), :contents)

  defp via(cart_id), do: {:via, Registry, {Shop.CartRegistry, cart_id}}

  # Server callbacks

  @impl true
  def init(cart_id), do: {:ok, %{id: cart_id, lines: %{}}, @idle_timeout}

  @impl true
  def handle_call({:add_item, sku, qty}, _from, state) do
    product = Repo.get_by!(Product, sku: sku)
    lines = Map.update(state.lines, sku, {product, qty}, fn {p, q} -> {p, q + qty} end)
    {:reply, :ok, %{state | lines: lines}, @idle_timeout}
  end

  def handle_call(:contents, _from, state) do
    {:reply, Map.values(state.lines), state, @idle_timeout}
  end

  @impl true
  def handle_cast({:remove_item, sku}, state) do
    {:noreply, %{state | lines: Map.delete(state.lines, sku)}, @idle_timeout}
  end

  @impl true
  def handle_info(:timeout, state), do: {:stop, :normal, state}
end
