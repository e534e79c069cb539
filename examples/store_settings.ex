defmodule Shop.StoreSettings do
  @moduledoc """
  Storefront settings (currency, banner, free-shipping threshold): loaded at
  boot, read on every page, changed from the admin page a few times a year.
  """

  use Agent

  @defaults %{currency: "EUR", banner: nil, free_shipping_cents: 5_000}

  def start_link(_opts) do
    Agent.start_link(fn -> Map.merge(@defaults, Application.get_env(:shop, :store_settings, %{})) end, name: __MODULE__)
  end

  def all, do: Agent.get(__MODULE__, & &1)

  def currency, do: Agent.get(__MODULE__, & &1.currency)

  def free_shipping?(total_cents), do: Agent.get(__MODULE__, fn settings -> total_cents >= settings.free_shipping_cents end)

  def put(changes) when is_map(changes), do: Agent.update(__MODULE__, &Map.merge(&1, changes))
end
