defmodule Shop.Checkout do
  @moduledoc """
  Places orders. Every checkout goes through this one process so that two
  customers can never buy the last item at the same time.
  """

  use GenServer # expect: repo-in-server

  import Ecto.Query

  alias Ecto.Multi
  alias Shop.{Repo, Catalog}
  alias Shop.Orders.Order

  def start_link(_opts) do
    GenServer.start_link(__MODULE__, :ok, name: __MODULE__)
  end

  @spec place_order(pos_integer(), [{String.t(), pos_integer()}]) ::
          {:ok, Order.t()} | {:error, term()}
  def place_order(user_id, items) do
    GenServer.call(__MODULE__, {:place_order, user_id, items}, 15_000)
  end

  @impl true
  def init(:ok), do: {:ok, %{placed: 0, failed: 0}}

  @impl true
  def handle_call({:place_order, user_id, items}, _from, state) do
    case place(user_id, items) do
      {:ok, %{order: order}} ->
        {:reply, {:ok, order}, %{state | placed: state.placed + 1}}

      {:error, step, reason, _changes} ->
        {:reply, {:error, {step, reason}}, %{state | failed: state.failed + 1}}
    end
  end

  defp place(user_id, items) do
    skus = Enum.map(items, &elem(&1, 0))
    products = Repo.all(from p in Catalog.Product, where: p.sku in ^skus) # expect: repo-in-server
    prices = Map.new(products, &{&1.sku, &1.price_cents})
    total = Enum.reduce(items, 0, fn {sku, qty}, acc -> acc + Map.fetch!(prices, sku) * qty end)
    lines = Enum.map(items, fn {sku, qty} -> %{sku: sku, qty: qty, unit_cents: prices[sku]} end)

    items
    |> Enum.reduce(Multi.new(), fn {sku, qty}, multi ->
      in_stock = from(p in Catalog.Product, where: p.sku == ^sku and p.stock >= ^qty)
      Multi.update_all(multi, {:stock, sku}, in_stock, inc: [stock: -qty])
    end)
    |> Multi.insert(:order, Order.changeset(%Order{}, %{user_id: user_id, total_cents: total, lines: lines}))
    |> Repo.transaction() # expect: repo-in-server
  end
end
