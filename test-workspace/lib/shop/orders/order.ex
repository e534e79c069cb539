defmodule Shop.Orders.Order do
  use Ecto.Schema
  import Ecto.Changeset

  @type t :: %__MODULE__{}

  @statuses ~w(placed paid shipped cancelled)

  schema "orders" do
    field :total_cents, :integer
    field :status, :string, default: "placed"
    field :lines, {:array, :map}, default: []

    belongs_to :user, Shop.Accounts.User

    timestamps(type: :utc_datetime)
  end

  @doc false
  def changeset(order, attrs) do
    order
    |> cast(attrs, [:user_id, :total_cents, :status, :lines])
    |> validate_required([:user_id, :total_cents])
    |> validate_inclusion(:status, @statuses)
    |> assoc_constraint(:user)
  end
end
