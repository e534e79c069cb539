defmodule Shop.UserStore do
  @moduledoc """
  All user lookups go through this process, "so that we have one place to
  add caching later". The caching never came; every lookup now waits for
  the previous one to finish its query.
  """

  use GenServer

  import Ecto.Query

  alias Shop.Repo
  alias Shop.Accounts.User

  # Client API

  def start_link(_opts) do
    GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
  end

  @spec get(pos_integer()) :: User.t() | nil
  def get(id), do: GenServer.call(__MODULE__, {:get, id})

  @spec list_active() :: [User.t()]
  def list_active, do: GenServer.call(__MODULE__, :list_active)

  @spec by_email(String.t()) :: User.t() | nil
  def by_email(email), do: GenServer.call(__MODULE__, {:by_email, email})

  @spec touch_login(pos_integer()) :: :ok
  def touch_login(id), do: GenServer.cast(__MODULE__, {:touch_login, id})

  # Server callbacks

  @impl true
  def init(state), do: {:ok, state}

  @impl true
  def handle_call({:get, id}, _from, state) do
    {:reply, Repo.get(User, id), state}
  end

  def handle_call(:list_active, _from, state) do
    users = Repo.all(from u in User, where: u.active == true, order_by: [asc: u.email])
    {:reply, users, state}
  end

  def handle_call({:by_email, email}, _from, state) do
    user =
      User
      |> where([u], u.email == ^String.downcase(email))
      |> Repo.one()

    {:reply, user, state}
  end

  @impl true
  def handle_cast({:touch_login, id}, state) do
    now = DateTime.truncate(DateTime.utc_now(), :second)
    from(u in User, where: u.id == ^id) |> Repo.update_all(set: [last_login_at: now])
    {:noreply, state}
  end
end
