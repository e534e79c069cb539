defmodule Shop.PaymentGateway do
  @moduledoc """
  Owns the single TCP connection to the payment provider (their contract
  allows one connection per merchant). Requests are pipelined on the socket
  and replies are matched back to callers by reference.
  """

  use GenServer

  require Logger

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  @spec authorize(String.t(), pos_integer()) :: {:ok, String.t()} | {:error, term()}
  def authorize(card_token, amount_cents) do
    GenServer.call(__MODULE__, {:authorize, card_token, amount_cents}, 10_000)
  end

  @impl true
  def init(opts) do
    Process.flag(:trap_exit, true)
    state = %{host: Keyword.fetch!(opts, :host), port: Keyword.fetch!(opts, :port), socket: nil, pending: %{}}
    {:ok, state, {:continue, :connect}}
  end

  @impl true
  def handle_continue(:connect, state) do
    opts = [:binary, active: true, packet: 4, keepalive: true]

    case :gen_tcp.connect(String.to_charlist(state.host), state.port, opts, 5_000) do
      {:ok, socket} ->
        {:noreply, %{state | socket: socket}}

      {:error, reason} ->
        Logger.error("payment gateway unreachable: #{inspect(reason)}")
        {:stop, {:connect_failed, reason}, state}
    end
  end

  @impl true
  def handle_call({:authorize, card_token, amount_cents}, from, state) do
    ref = System.unique_integer([:positive])
    frame = :erlang.term_to_binary({:authorize, ref, card_token, amount_cents})
    :ok = :gen_tcp.send(state.socket, frame)
    {:noreply, put_in(state.pending[ref], from)}
  end

  @impl true
  def handle_info({:tcp, _socket, data}, state) do
    {ref, result} = :erlang.binary_to_term(data, [:safe])
    {from, pending} = Map.pop(state.pending, ref)
    if from, do: GenServer.reply(from, result)
    {:noreply, %{state | pending: pending}}
  end

  def handle_info({:tcp_closed, _socket}, state) do
    for {_ref, from} <- state.pending, do: GenServer.reply(from, {:error, :disconnected})
    {:stop, :tcp_closed, %{state | socket: nil, pending: %{}}}
  end

  @impl true
  def terminate(_reason, %{socket: nil}), do: :ok
  def terminate(_reason, %{socket: socket}), do: :gen_tcp.close(socket)
end
