defmodule ShopWeb.Admin.SettingsController do
  use ShopWeb, :controller

  alias Shop.StoreSettings

  def show(conn, _params), do: json(conn, StoreSettings.all()) # expect: hot-path-call

  def update(conn, %{"settings" => settings}) do
    :ok = StoreSettings.put(Map.new(settings, fn {key, value} -> {String.to_existing_atom(key), value} end))
    json(conn, StoreSettings.all()) # expect: hot-path-call
  end
end
