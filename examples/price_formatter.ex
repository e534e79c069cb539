defmodule Shop.PriceFormatter do
  @moduledoc """
  Formats and parses prices for display. Lives in the supervision tree
  because "formatting is a service".
  """

  use GenServer

  @symbols %{"EUR" => "€", "USD" => "$", "GBP" => "£", "JPY" => "¥"}
  @zero_decimal ~w(JPY)

  # Client API

  def start_link(_opts), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @spec format(integer(), String.t()) :: String.t()
  def format(cents, currency \\ "EUR"), do: GenServer.call(__MODULE__, {:format, cents, currency})

  @spec parse(String.t()) :: {:ok, integer()} | :error
  def parse(text), do: GenServer.call(__MODULE__, {:parse, text})

  # Server callbacks

  @impl true
  def init(nil), do: {:ok, nil}

  @impl true
  def handle_call({:format, cents, currency}, _from, state) do
    {:reply, do_format(cents, currency), state}
  end

  def handle_call({:parse, text}, _from, state) do
    {:reply, do_parse(text), state}
  end

  defp do_format(cents, currency) when currency in @zero_decimal do
    Map.get(@symbols, currency, currency <> " ") <> Integer.to_string(cents)
  end

  defp do_format(cents, currency) do
    sign = if cents < 0, do: "-", else: ""
    units = div(abs(cents), 100)
    rest = rem(abs(cents), 100) |> Integer.to_string() |> String.pad_leading(2, "0")
    sign <> Map.get(@symbols, currency, currency <> " ") <> Integer.to_string(units) <> "." <> rest
  end

  defp do_parse(text) do
    cleaned = String.replace(text, ~r/[^\d.,-]/u, "") |> String.replace(",", ".")

    case Float.parse(cleaned) do
      {value, ""} -> {:ok, round(value * 100)}
      _ -> :error
    end
  end
end
