defmodule Shop.ReviewStats do
  @moduledoc """
  Average rating per product, shown on product pages. Averages are cached
  in the process state and dropped every few minutes.
  """

  use GenServer # expect: repo-in-server

  import Ecto.Query

  alias Shop.Repo, as: DB

  @ttl_ms :timer.minutes(5)

  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))
  end

  @spec average(GenServer.server(), pos_integer()) :: float() | nil
  def average(server \\ __MODULE__, product_id) do
    GenServer.call(server, {:average, product_id})
  end

  def review_added(server \\ __MODULE__, product_id) do
    GenServer.cast(server, {:review_added, product_id})
  end

  @impl true
  def init(_opts) do
    :timer.send_interval(@ttl_ms, :expire)
    {:ok, %{averages: %{}, total_reviews: DB.aggregate("reviews", :count)}}
  end

  @impl true
  def handle_call({:average, product_id}, _from, state) do
    case state.averages do
      %{^product_id => avg} ->
        {:reply, avg, state}

      _ ->
        avg = DB.one(from r in "reviews", where: r.product_id == ^product_id, select: avg(r.rating)) # expect: repo-in-server
        {:reply, avg, put_in(state.averages[product_id], avg)}
    end
  end

  @impl true
  def handle_cast({:review_added, product_id}, state) do
    {:noreply,
     %{state | averages: Map.delete(state.averages, product_id), total_reviews: state.total_reviews + 1}}
  end

  @impl true
  def handle_info(:expire, state) do
    # Not a message callback: runs on the timer, nobody is waiting on it.
    {:noreply, %{state | averages: %{}, total_reviews: DB.aggregate("reviews", :count)}}
  end
end
