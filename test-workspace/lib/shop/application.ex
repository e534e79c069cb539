defmodule Shop.Application do
  @moduledoc false

  use Application

  @impl true
  def start(_type, _args) do
    children = [
      # Infrastructure
      Shop.Repo,
      Shop.Warehouse.Database,
      {Phoenix.PubSub, name: Shop.PubSub},
      {Registry, keys: :unique, name: Shop.CartRegistry},
      {DynamicSupervisor, name: Shop.CartSupervisor, strategy: :one_for_one},
      {Task.Supervisor, name: Shop.TaskSupervisor},

      # Named servers
      Shop.UserStore,
      {Shop.ReviewStats, []},
      Shop.AuditLog,
      Shop.Checkout,
      Shop.Warehouse.StockKeeper,
      Shop.FeaturedProducts,
      Shop.PriceFormatter,
      {Shop.ShippingQuotes, Application.get_env(:shop, Shop.ShippingQuotes, [])},
      Shop.InvoiceRenderer,
      Shop.SessionTracker,
      Shop.ProductCache,
      {Shop.PaymentGateway, Application.get_env(:shop, Shop.PaymentGateway, [])},
      Shop.CartSweeper,
      Shop.NotificationRelay,
      {Shop.ApiThrottle, Application.get_env(:shop, Shop.ApiThrottle, [])},
      Shop.Analytics.EventBuffer,
      Shop.StoreSettings,
      Shop.RecentlyViewed,
      Shop.StorefrontSearch,
      Shop.Reports.Supervisor
    ]

    opts = [strategy: :one_for_one, name: Shop.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
