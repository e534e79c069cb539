defmodule ShopWeb.ProductLive do
  use ShopWeb, :live_view

  alias Shop.{Cart, Catalog, RecentlyViewed, StoreSettings}

  @impl true
  def mount(%{"sku" => sku}, %{"user_id" => user_id, "cart_id" => cart_id}, socket) do
    product = Catalog.get_product_by_sku!(sku)
    RecentlyViewed.push(user_id, product.id)
    recent = GenServer.call(RecentlyViewed, {:list, user_id}) # expect: scattered-calls, hot-path-call

    {:ok,
     assign(socket,
       product: product,
       recent: recent,
       cart_id: cart_id,
       currency: StoreSettings.currency() # expect: hot-path-call
     )}
  end

  @impl true
  def handle_event("add", %{"qty" => qty}, socket) do
    :ok = Cart.add_item(socket.assigns.cart_id, socket.assigns.product.sku, String.to_integer(qty))
    {:noreply, assign(socket, cart: Cart.contents(socket.assigns.cart_id))}
  end

  def handle_event("search", %{"q" => q}, socket) do
    {:noreply, assign(socket, results: Shop.StorefrontSearch.search(q))} # expect: hot-path-call
  end
end
