defmodule Shop.Warehouse.Database do
  @moduledoc """
  Connection to the warehouse team's Postgres (stock levels, bins, shipments).
  It is an ordinary Ecto repo with its own pool; the name is historical.
  """

  use Ecto.Repo, otp_app: :shop, adapter: Ecto.Adapters.Postgres
end
