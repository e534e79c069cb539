defmodule Shop.NotificationRelay do
  @moduledoc """
  Listens to order events on `Shop.PubSub` and relays them to registered
  dashboard processes and to each customer's own topic.
  """

  use GenServer

  def start_link(_opts), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)

  @doc "Registers the calling process (a LiveView, usually) for order events."
  def register(pid \\ self()), do: GenServer.call(__MODULE__, {:register, pid})

  @impl true
  def init(:ok) do
    :ok = Phoenix.PubSub.subscribe(Shop.PubSub, "orders")
    {:ok, %{subscribers: %{}}}
  end

  @impl true
  def handle_call({:register, pid}, _from, state) do
    ref = Process.monitor(pid)
    {:reply, :ok, put_in(state.subscribers[ref], pid)}
  end

  @impl true
  def handle_info({:order_placed, order}, state) do
    for {_ref, pid} <- state.subscribers, do: send(pid, {:order_placed, order.id})
    Phoenix.PubSub.broadcast(Shop.PubSub, "user:#{order.user_id}", {:order_placed, order.id})
    {:noreply, state}
  end

  def handle_info({:DOWN, ref, :process, _pid, _reason}, state) do
    {:noreply, update_in(state.subscribers, &Map.delete(&1, ref))}
  end
end
