defmodule Shop.SessionTracker do
  @moduledoc """
  Signed-in sessions for the admin dashboard's "who is online" panel.
  """

  use GenServer

  require Logger

  @report_every :timer.minutes(1)
  @session_ttl_seconds 30 * 60

  # Client API

  def start_link(_opts), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)

  def track(session_id, user_id), do: GenServer.cast(__MODULE__, {:track, session_id, user_id})

  def prune, do: GenServer.cast(__MODULE__, :prune)

  @spec active_count() :: non_neg_integer()
  def active_count, do: GenServer.call(__MODULE__, :active_count)

  def stats, do: GenServer.call(__MODULE__, :stats)

  # Server callbacks

  @impl true
  def init(:ok) do
    :timer.send_interval(@report_every, :report)
    {:ok, %{sessions: %{}, peak: 0}}
  end

  @impl true
  def handle_call(:active_count, _from, state) do
    {:reply, map_size(state.sessions), state}
  end

  def handle_call(:stats, _from, state) do
    active = active_count() # expect: self-call
    {:reply, %{active: active, peak: state.peak}, state}
  end

  @impl true
  def handle_cast({:track, session_id, user_id}, state) do
    seen = %{user_id: user_id, seen_at: System.system_time(:second)}
    {:noreply, put_in(state.sessions[session_id], seen)}
  end

  def handle_cast(:prune, state) do
    state = drop_expired(state) # expect: self-call
    {:noreply, state}
  end

  @impl true
  def handle_info(:report, state) do
    active = GenServer.call(self(), :active_count) # expect: self-call
    Logger.info("sessions: #{active} active, peak #{state.peak}")
    {:noreply, %{state | peak: max(state.peak, active)}}
  end

  defp drop_expired(state) do
    cutoff = System.system_time(:second) - @session_ttl_seconds
    sessions = Map.reject(state.sessions, fn {_id, s} -> s.seen_at < cutoff end)
    Logger.info("pruning #{active_count() - map_size(sessions)} expired sessions")
    %{state | sessions: sessions}
  end
end
