defmodule Shop.Reports.SalesReport do
  @moduledoc """
  Sales totals for the back office. Started under Shop.Reports.Supervisor,
  which gives it its name.
  """

  use GenServer # expect: repo-in-server, stateless-server

  import Ecto.Query

  alias Shop.Repo

  def start_link(opts), do: GenServer.start_link(__MODULE__, :ok, name: Keyword.fetch!(opts, :name))

  def daily_totals(server \\ __MODULE__, date), do: GenServer.call(server, {:daily_totals, date})

  @impl true
  def init(:ok), do: {:ok, %{}}

  @impl true
  def handle_call({:daily_totals, date}, _from, state) do
    totals = Repo.all(from o in "orders", where: fragment("?::date", o.inserted_at) == ^date, group_by: o.status, select: {o.status, sum(o.total_cents)}) # expect: repo-in-server
    {:reply, totals, state}
  end
end
