defmodule Shop.CartSweeper do
  @moduledoc """
  Deletes abandoned carts every ten minutes. The delete itself runs in a
  task under `Shop.TaskSupervisor`, so the sweeper stays responsive.
  """

  use GenServer

  import Ecto.Query

  alias Shop.Repo

  @interval :timer.minutes(10)
  @max_age_seconds 7 * 24 * 3600

  def start_link(_opts), do: GenServer.start_link(__MODULE__, :ok, name: __MODULE__)

  def sweep_now, do: GenServer.cast(__MODULE__, :sweep_now)

  def last_run, do: GenServer.call(__MODULE__, :last_run)

  @impl true
  def init(:ok) do
    schedule()
    {:ok, %{last_run: nil, runs: 0}}
  end

  @impl true
  def handle_call(:last_run, _from, state), do: {:reply, state.last_run, state}

  @impl true
  def handle_cast(:sweep_now, state), do: {:noreply, start_sweep(state)}

  @impl true
  def handle_info(:tick, state) do
    state = start_sweep(state)
    schedule()
    {:noreply, state}
  end

  defp start_sweep(state) do
    cutoff = DateTime.add(DateTime.utc_now(), -@max_age_seconds, :second)

    Task.Supervisor.start_child(Shop.TaskSupervisor, fn ->
      Repo.delete_all(from c in "carts", where: c.updated_at < ^cutoff and is_nil(c.order_id))
    end)

    %{state | last_run: DateTime.utc_now(), runs: state.runs + 1}
  end

  defp schedule, do: Process.send_after(self(), :tick, @interval)
end
