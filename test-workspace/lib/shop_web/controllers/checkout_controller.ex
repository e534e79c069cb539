defmodule ShopWeb.CheckoutController do
  use Phoenix.Controller, formats: [:json]

  require Logger

  @warehouse_zip "69002"

  def create(conn, %{"items" => items, "zip" => zip}) do
    user = conn.assigns.current_user
    items = Enum.map(items, fn %{"sku" => sku, "qty" => qty} -> {sku, qty} end)
    weight_kg = length(items) * 0.5

    with :ok <- Shop.ApiThrottle.acquire(),
         {:ok, order} <- Shop.Checkout.place_order(user.id, items), # expect: hot-path-call
         {:ok, shipping} <- Shop.ShippingQuotes.estimate(@warehouse_zip, zip, weight_kg), # expect: hot-path-call
         {:ok, invoice} <- Shop.InvoiceRenderer.render(%{number: order.id, lines: order.lines}) do # expect: hot-path-call
      Shop.AuditLog.record(user.id, :order_placed, %{order_id: order.id})
      Shop.Analytics.EventBuffer.track(%{type: "checkout", order_id: order.id})

      conn
      |> put_status(:created)
      |> json(%{
        order_id: order.id,
        total: Shop.PriceFormatter.format(order.total_cents), # expect: hot-path-call
        shipping: shipping,
        invoice_title: invoice.title
      })
    else
      {:error, {:rate_limited, wait_ms}} ->
        conn
        |> put_resp_header("retry-after", Integer.to_string(div(wait_ms, 1000) + 1))
        |> put_status(:too_many_requests)
        |> json(%{error: "busy, try again"})

      {:error, reason} ->
        Logger.warning("checkout failed: #{inspect(reason)}")
        conn |> put_status(:unprocessable_entity) |> json(%{error: inspect(reason)})
    end
  end
end
