defmodule ShopWeb.UserController do
  use Phoenix.Controller, formats: [:json]

  alias Shop.UserStore

  def index(conn, _params) do
    users = UserStore.list_active() # expect: hot-path-call
    json(conn, %{data: Enum.map(users, &user_json/1)})
  end

  def show(conn, %{"id" => id}) do
    case UserStore.get(String.to_integer(id)) do # expect: hot-path-call
      nil ->
        conn
        |> put_status(:not_found)
        |> json(%{error: "not found"})

      user ->
        UserStore.touch_login(user.id)
        json(conn, %{data: user_json(user)})
    end
  end

  defp user_json(user), do: %{id: user.id, email: user.email, name: user.name}
end
