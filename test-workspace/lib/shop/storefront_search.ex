defmodule Shop.StorefrontSearch do
  @moduledoc """
  Remembers search results so that repeated searches are instant.
  """

  use GenServer # expect: repo-in-server

  alias Shop.Catalog

  def start_link(_opts), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)

  def search(term), do: GenServer.call(__MODULE__, {:search, String.downcase(term)})

  @impl true
  def init(cache), do: {:ok, cache}

  @impl true
  def handle_call({:search, term}, _from, cache) do
    case Map.fetch(cache, term) do
      {:ok, results} ->
        {:reply, results, cache}

      :error ->
        results = Catalog.search(term) # expect: repo-in-server
        {:reply, results, Map.put(cache, term, results)}
    end
  end
end
