defmodule Shop.Warehouse.StockKeeper do
  @moduledoc """
  Reservations against warehouse stock, cluster-wide (registered globally).
  """

  use GenServer # expect: repo-in-server

  import Ecto.Query

  alias Shop.Warehouse.Database

  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, name: {:global, :stock_keeper})
  end

  @spec available(String.t()) :: integer()
  def available(sku), do: GenServer.call({:global, :stock_keeper}, {:available, sku})

  @spec reserve(String.t(), pos_integer()) :: {:ok, pos_integer()} | {:error, :insufficient_stock}
  def reserve(sku, qty), do: GenServer.call({:global, :stock_keeper}, {:reserve, sku, qty})

  def release(reservation_id), do: GenServer.cast({:global, :stock_keeper}, {:release, reservation_id})

  @impl true
  def init(_opts), do: {:ok, %{reservations: %{}, next_id: 1}}

  @impl true
  def handle_call({:available, sku}, _from, state) do
    on_hand = Database.one(from s in "stock_levels", where: s.sku == ^sku, select: s.on_hand) || 0 # expect: repo-in-server
    held =
      for {_id, %{sku: ^sku, qty: qty}} <- state.reservations, reduce: 0 do
        acc -> acc + qty
      end

    {:reply, on_hand - held, state}
  end

  def handle_call({:reserve, sku, qty}, _from, state) do
    case adjust(sku, -qty) do
      {1, _} ->
        id = state.next_id
        reservations = Map.put(state.reservations, id, %{sku: sku, qty: qty})
        {:reply, {:ok, id}, %{state | reservations: reservations, next_id: id + 1}}

      {0, _} ->
        {:reply, {:error, :insufficient_stock}, state}
    end
  end

  @impl true
  def handle_cast({:release, id}, state) do
    case Map.pop(state.reservations, id) do
      {nil, _} ->
        {:noreply, state}

      {%{sku: sku, qty: qty}, rest} ->
        adjust(sku, qty)
        {:noreply, %{state | reservations: rest}}
    end
  end

  defp adjust(sku, delta) do
    query = from s in "stock_levels", where: s.sku == ^sku and s.on_hand + ^delta >= 0
    Database.update_all(query, inc: [on_hand: delta]) # expect: repo-in-server
  end
end
