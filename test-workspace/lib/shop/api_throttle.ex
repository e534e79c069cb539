defmodule Shop.ApiThrottle do
  @moduledoc """
  One token bucket for every outbound call to the payment provider: their
  quota is per merchant account, so it really is one shared counter.

  Nothing here touches the database. Do not add `Shop.Repo` calls (or a
  `Repo.transaction/2` "to log the throttling") to these callbacks.
  """

  use GenServer

  require Logger

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @spec acquire(pos_integer()) :: :ok | {:error, {:rate_limited, non_neg_integer()}}
  def acquire(cost \\ 1), do: GenServer.call(__MODULE__, {:acquire, cost})

  @impl true
  def init(opts) do
    capacity = Keyword.get(opts, :capacity, 20)

    {:ok,
     %{
       capacity: capacity,
       tokens: capacity,
       refill_per_second: Keyword.get(opts, :refill_per_second, 5),
       last_refill: System.monotonic_time(:millisecond)
     }}
  end

  @impl true
  def handle_call({:acquire, cost}, _from, state) do
    state = refill(state)

    if state.tokens >= cost do
      {:reply, :ok, %{state | tokens: state.tokens - cost}}
    else
      # Previously this wrote a row with Repo.insert/1; the log line is enough.
      wait_ms = ceil((cost - state.tokens) * 1000 / state.refill_per_second)
      Logger.warning("payment API throttled (Repo writes unaffected), retry in #{wait_ms}ms")
      {:reply, {:error, {:rate_limited, wait_ms}}, state}
    end
  end

  defp refill(state) do
    now = System.monotonic_time(:millisecond)
    earned = (now - state.last_refill) * state.refill_per_second / 1000
    %{state | tokens: min(state.capacity, state.tokens + earned), last_refill: now}
  end
end
