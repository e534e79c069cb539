defmodule ShopWeb.Admin.ImportController do
  use ShopWeb, :controller

  def create(conn, %{"path" => path}) do
    {:ok, progress} = Shop.ImportProgress.start_link(total: 100) # expect: unsupervised-start
    spawn(fn -> Shop.CatalogImport.run(path) end) # expect: unsupervised-start
    json(conn, %{started: true, progress: inspect(progress)})
  end
end
