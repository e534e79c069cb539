import Config

config :shop,
  ecto_repos: [Shop.Repo, Shop.Warehouse.Database]

config :shop, Shop.Repo,
  username: "postgres",
  password: "postgres",
  hostname: "localhost",
  database: "shop_dev",
  pool_size: 10

config :shop, Shop.Warehouse.Database,
  username: "postgres",
  password: "postgres",
  hostname: "warehouse-db.internal",
  database: "warehouse",
  pool_size: 5

config :shop, Shop.ShippingQuotes,
  endpoint: "https://rates.example-carrier.com/v2/quotes",
  tracking_endpoint: "https://track.example-carrier.com/v2/parcels"

config :shop, Shop.PaymentGateway,
  host: "gateway.example-payments.com",
  port: 7443

config :shop, Shop.ApiThrottle,
  capacity: 20,
  refill_per_second: 5

config :logger, :console,
  format: "$time $metadata[$level] $message\n",
  metadata: [:request_id]

config :phoenix, :json_library, Jason
