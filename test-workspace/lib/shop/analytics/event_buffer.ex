defmodule Shop.Analytics.EventBuffer do
  @moduledoc """
  Buffers storefront analytics events and writes them in batches, either
  every 100 events or every 5 seconds, from a supervised task.
  """

  use GenServer

  @flush_at 100
  @flush_every 5_000

  def start_link(_opts), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)

  @spec track(map()) :: :ok
  def track(event), do: GenServer.cast(__MODULE__, {:track, event})

  def flush, do: GenServer.cast(__MODULE__, :flush)

  @impl true
  def init(:ok) do
    Process.send_after(self(), :flush_timer, @flush_every)
    {:ok, %{events: [], size: 0}}
  end

  @impl true
  def handle_cast({:track, event}, state) do
    state = %{state | events: [Map.put(event, :at, DateTime.utc_now()) | state.events], size: state.size + 1}
    if state.size >= @flush_at, do: GenServer.cast(__MODULE__, :flush)
    {:noreply, state}
  end

  def handle_cast(:flush, %{size: 0} = state), do: {:noreply, state}

  def handle_cast(:flush, state) do
    rows = Enum.reverse(state.events)

    Task.Supervisor.start_child(Shop.TaskSupervisor, fn ->
      Shop.Repo.insert_all("analytics_events", rows)
    end)

    {:noreply, %{state | events: [], size: 0}}
  end

  @impl true
  def handle_info(:flush_timer, state) do
    flush()
    Process.send_after(self(), :flush_timer, @flush_every)
    {:noreply, state}
  end
end
