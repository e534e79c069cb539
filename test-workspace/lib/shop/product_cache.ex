defmodule Shop.ProductCache do
  @moduledoc """
  Products by SKU in a named ETS table. Readers hit the table directly from
  their own process; only writes go through the owner.
  """

  use GenServer

  alias Shop.Repo
  alias Shop.Catalog.Product

  def start_link(_opts), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)

  @spec lookup(String.t()) :: {:ok, Product.t()} | :error
  def lookup(sku) do
    case :ets.lookup(__MODULE__, sku) do
      [{^sku, product}] -> {:ok, product}
      [] -> :error
    end
  end

  @spec put(Product.t()) :: :ok
  def put(%Product{} = product), do: GenServer.call(__MODULE__, {:put, product})

  def evict(sku), do: GenServer.call(__MODULE__, {:evict, sku})

  @impl true
  def init(:ok) do
    table = :ets.new(__MODULE__, [:named_table, :public, read_concurrency: true])
    {:ok, %{table: table}, {:continue, :warm}}
  end

  @impl true
  def handle_continue(:warm, state) do
    products = Repo.all(Product)
    :ets.insert(state.table, Enum.map(products, &{&1.sku, &1}))
    {:noreply, state}
  end

  @impl true
  def handle_call({:put, product}, _from, state) do
    true = :ets.insert(state.table, {product.sku, product})
    {:reply, :ok, state}
  end

  def handle_call({:evict, sku}, _from, state) do
    :ets.delete(state.table, sku)
    {:reply, :ok, state}
  end
end
