defmodule Shop.ShippingQuotes do
  @moduledoc """
  Shipping estimates and parcel tracking from the carrier's HTTP API.
  Estimates are cached per (from, to, weight) in the process state.
  """

  use GenServer

  @endpoint "https://rates.example-carrier.com/v2/quotes"
  @tracking_endpoint "https://track.example-carrier.com/v2/parcels"
  @retry_delay_ms 750
  @user_agent "shop/0.4 (boutique café ☕)"

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @spec estimate(String.t(), String.t(), number()) :: {:ok, map()} | {:error, term()}
  def estimate(from_zip, to_zip, kg) do
    GenServer.call(__MODULE__, {:estimate, from_zip, to_zip, kg}, 20_000)
  end

  def track(tracking_number), do: GenServer.cast(__MODULE__, {:track, tracking_number})

  def status(tracking_number), do: GenServer.call(__MODULE__, {:status, tracking_number})

  @impl true
  def init(_opts), do: {:ok, %{estimates: %{}, tracking: %{}}}

  @impl true
  def handle_call({:estimate, from_zip, to_zip, kg}, _from, state) do
    key = {from_zip, to_zip, kg}

    case Map.fetch(state.estimates, key) do
      {:ok, estimate} ->
        {:reply, {:ok, estimate}, state}

      :error ->
        params = %{from: from_zip, to: to_zip, kg: kg}

        case HTTPoison.get!(@endpoint, [{"user-agent", @user_agent}], params: params) do # expect: blocking-callback
          %HTTPoison.Response{status_code: 200, body: body} ->
            estimate = Jason.decode!(body)
            {:reply, {:ok, estimate}, put_in(state.estimates[key], estimate)}

          %HTTPoison.Response{status_code: code} ->
            {:reply, {:error, {:http, code}}, state}
        end
    end
  end

  def handle_call({:status, tracking_number}, _from, state) do
    {:reply, Map.get(state.tracking, tracking_number, :unknown), state}
  end

  @impl true
  def handle_cast({:track, tracking_number}, state) do
    status = poll_tracking(tracking_number, 3)
    {:noreply, put_in(state.tracking[tracking_number], status)}
  end

  defp poll_tracking(_tracking_number, 0), do: :unknown

  defp poll_tracking(tracking_number, attempts_left) do
    case Req.get!(@tracking_endpoint <> "/" <> URI.encode(tracking_number), retry: false) do # expect: blocking-callback
      %Req.Response{status: 200, body: %{"status" => status}} ->
        String.to_existing_atom(status)

      %Req.Response{status: status} when status in [404, 429, 503] ->
        Process.sleep(@retry_delay_ms) # expect: blocking-callback
        poll_tracking(tracking_number, attempts_left - 1)
    end
  end
end
