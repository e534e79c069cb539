defmodule Shop.Catalog do
  @moduledoc """
  The Catalog context: products, prices and stock as the storefront sees them.
  """

  import Ecto.Query, warn: false

  alias Shop.Repo
  alias Shop.Catalog.Product

  @spec list_products() :: [Product.t()]
  def list_products do
    Repo.all(from p in Product, order_by: p.name)
  end

  @spec get_product_by_sku!(String.t()) :: Product.t()
  def get_product_by_sku!(sku), do: Repo.get_by!(Product, sku: sku)

  @spec prices_for([String.t()]) :: %{String.t() => non_neg_integer()}
  def prices_for(skus) when is_list(skus) do
    from(p in Product, where: p.sku in ^skus, select: {p.sku, p.price_cents})
    |> Repo.all()
    |> Map.new()
  end

  def search(term) do
    pattern = "%" <> String.replace(term, ~w(% _), &("\\" <> &1)) <> "%"

    Repo.all(
      from p in Product,
        where: ilike(p.name, ^pattern) or ilike(p.sku, ^pattern),
        limit: 50
    )
  end

  def create_product(attrs \\ %{}) do
    %Product{}
    |> Product.changeset(attrs)
    |> Repo.insert()
  end

  def update_product(%Product{} = product, attrs) do
    product
    |> Product.changeset(attrs)
    |> Repo.update()
  end

  def delete_product(%Product{} = product), do: Repo.delete(product)
end
