defmodule Shop.RecentlyViewed do
  @moduledoc """
  The last products each shopper looked at, for the “recently viewed” strip.
  """

  use GenServer # expect: keyed-state-server

  @max 12

  def start_link(_opts), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)

  def push(user_id, product_id), do: GenServer.cast(__MODULE__, {:push, user_id, product_id})

  def list(user_id), do: GenServer.call(__MODULE__, {:list, user_id})

  def forget(user_id), do: GenServer.cast(__MODULE__, {:forget, user_id})

  @impl true
  def init(views), do: {:ok, views}

  @impl true
  def handle_cast({:push, user_id, product_id}, views) do
    recent = [product_id | List.delete(Map.get(views, user_id, []), product_id)] |> Enum.take(@max)
    {:noreply, Map.put(views, user_id, recent)}
  end

  def handle_cast({:forget, user_id}, views), do: {:noreply, Map.delete(views, user_id)}

  @impl true
  def handle_call({:list, user_id}, _from, views), do: {:reply, Map.get(views, user_id, []), views}
end
