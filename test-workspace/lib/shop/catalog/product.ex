defmodule Shop.Catalog.Product do
  use Ecto.Schema
  import Ecto.Changeset

  @type t :: %__MODULE__{}

  schema "products" do
    field :sku, :string
    field :name, :string
    field :description, :string
    field :price_cents, :integer
    field :currency, :string, default: "EUR"
    field :stock, :integer, default: 0

    timestamps(type: :utc_datetime)
  end

  @doc false
  def changeset(product, attrs) do
    product
    |> cast(attrs, [:sku, :name, :description, :price_cents, :currency, :stock])
    |> validate_required([:sku, :name, :price_cents])
    |> validate_number(:price_cents, greater_than_or_equal_to: 0)
    |> validate_number(:stock, greater_than_or_equal_to: 0)
    |> unique_constraint(:sku)
  end
end
