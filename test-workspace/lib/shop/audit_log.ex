defmodule Shop.AuditLog do
  @moduledoc """
  Append-only audit trail of admin and checkout actions.

  Writes are funnelled through one process (registered as `Shop.Audit`) so
  that "entries are never interleaved".
  """

  use GenServer # expect: repo-in-server

  import Ecto.Query

  @repo Shop.Repo

  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, name: Shop.Audit)
  end

  @spec record(term(), atom(), map()) :: :ok
  def record(actor, action, meta \\ %{}) do
    GenServer.cast(Shop.Audit, {:record, actor, action, meta})
  end

  def stats, do: GenServer.call(Shop.Audit, :stats)

  @doc "Latest entries. Runs in the caller, through the pool."
  def recent(limit \\ 50) do
    @repo.all(
      from e in "audit_entries",
        order_by: [desc: e.inserted_at],
        limit: ^limit,
        select: map(e, [:actor, :action, :meta, :inserted_at])
    )
  end

  @impl true
  def init(_opts), do: {:ok, %{written: 0, started_at: DateTime.utc_now()}}

  @impl true
  def handle_cast({:record, actor, action, meta}, state) do
    row = %{actor: inspect(actor), action: Atom.to_string(action), meta: meta, inserted_at: DateTime.utc_now()}
    {1, _} = @repo.insert_all("audit_entries", [row]) # expect: repo-in-server
    {:noreply, %{state | written: state.written + 1}}
  end

  @impl true
  def handle_call(:stats, _from, state) do
    {:reply, Map.take(state, [:written, :started_at]), state}
  end
end
