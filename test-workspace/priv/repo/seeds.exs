# Seeds the development database: mix run priv/repo/seeds.exs
{:ok, progress} = Shop.ImportProgress.start_link(total: 2)

for sku <- ["mug-01", "tee-02"] do
  Shop.Repo.insert!(%Shop.Catalog.Product{sku: sku, name: sku, price_cents: 1_000})
  Shop.ImportProgress.tick(progress)
end
