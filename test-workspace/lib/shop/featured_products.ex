defmodule Shop.FeaturedProducts do
  @moduledoc """
  The products merchandising picked for the home page. Holds their ids.
  """

  use Agent # expect: repo-in-server

  import Ecto.Query

  alias Shop.Catalog.Product

  def start_link(_opts) do
    Agent.start_link(fn -> [] end, name: __MODULE__)
  end

  @spec list() :: [Product.t()]
  def list do
    Agent.get(__MODULE__, fn ids ->
      Shop.Repo.all(from p in Product, where: p.id in ^ids, order_by: p.name) # expect: repo-in-server
    end)
  end

  def ids, do: Agent.get(__MODULE__, & &1)

  def feature(id), do: Agent.update(__MODULE__, fn ids -> Enum.uniq([id | ids]) end)

  def unfeature(id), do: Agent.update(__MODULE__, &List.delete(&1, id))
end
