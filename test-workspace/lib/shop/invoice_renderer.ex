defmodule Shop.InvoiceRenderer do
  @moduledoc """
  Renders invoices to PDF with wkhtmltopdf. One render at a time "so the
  machine does not run out of memory".
  """

  use GenServer # expect: stateless-server

  @binary "wkhtmltopdf"

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: :invoice_renderer)

  @spec render(map()) :: {:ok, %{title: String.t(), pdf: binary()}}
  def render(invoice), do: GenServer.call(:invoice_renderer, {:render, invoice}, 30_000)

  @impl true
  def init(_opts), do: {:ok, nil}

  @impl true
  def handle_call({:render, invoice}, _from, state) do
    base = Path.join(System.tmp_dir!(), "invoice-#{invoice.number}")
    File.write!(base <> ".html", to_html(invoice)) # expect: blocking-callback
    {_output, 0} = System.cmd(@binary, ["--quiet", "--encoding", "utf-8", base <> ".html", base <> ".pdf"], stderr_to_stdout: true) # expect: blocking-callback
    {:reply, {:ok, %{title: "Reçu café ☕ 🛒 n°#{invoice.number}", pdf: File.read!(base <> ".pdf")}}, state} # expect: blocking-callback
  end

  defp to_html(invoice) do
    rows =
      Enum.map_join(invoice.lines, "\n", fn line ->
        "<tr><td>#{line.sku}</td><td>#{line.qty}</td><td>#{line.unit_cents / 100} €</td></tr>"
      end)

    """
    <html><head><meta charset="utf-8"></head>
    <body><h1>Invoice #{invoice.number}</h1><table>#{rows}</table></body></html>
    """
  end
end
