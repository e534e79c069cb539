defmodule Shop.Accounts do
  @moduledoc """
  The Accounts context: users and their sign-in data.
  """

  import Ecto.Query, warn: false

  alias Shop.Repo
  alias Shop.Accounts.User

  @spec list_users() :: [User.t()]
  def list_users do
    Repo.all(from u in User, order_by: [asc: u.email])
  end

  @spec list_active_users() :: [User.t()]
  def list_active_users do
    User
    |> where([u], u.active == true)
    |> Repo.all()
  end

  def get_user!(id), do: Repo.get!(User, id)

  def get_user_by_email(email) when is_binary(email) do
    Repo.get_by(User, email: String.downcase(email))
  end

  def create_user(attrs \\ %{}) do
    %User{}
    |> User.changeset(attrs)
    |> Repo.insert()
  end

  def update_user(%User{} = user, attrs) do
    user
    |> User.changeset(attrs)
    |> Repo.update()
  end

  def record_login(%User{id: id}) do
    from(u in User, where: u.id == ^id)
    |> Repo.update_all(set: [last_login_at: DateTime.truncate(DateTime.utc_now(), :second)])
  end

  def change_user(%User{} = user, attrs \\ %{}), do: User.changeset(user, attrs)
end
