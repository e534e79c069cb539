# What one GenServer in front of the database costs: N concurrent callers each make Q lookups that
# take a 5 ms query, once through a singleton server (the repo-in-server pattern) and once with the
# query run in the caller (the fix), against the same pool of 10 connections (Ecto's default
# pool_size). Prints both throughputs, the ratio, and the callers' waiting times.
#
#   elixir bench/singleton_vs_pool.exs [callers] [queries_per_caller] [query_ms]
#
# Runs with Elixir alone: no Hex packages, no database.

defmodule Bench.Pool do
  @moduledoc "Ten connections, each one query at a time, like a DBConnection pool."
  @size 10

  def start(query_ms) do
    for i <- 1..@size do
      {:ok, _} = Agent.start_link(fn -> query_ms end, name: name(i))
    end
  end

  # A caller takes a connection by hash of its pid (a real pool hands out an idle one; close enough).
  def query(id) do
    :ok = Agent.get(name(:erlang.phash2({self(), id}, @size) + 1), &Process.sleep/1, :infinity)
    id
  end

  defp name(i), do: :"bench_connection_#{i}"
end

defmodule Bench.Singleton do
  @moduledoc "Every lookup goes through this one process, which runs the query itself."
  use GenServer

  def start_link, do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)
  def lookup(id), do: GenServer.call(__MODULE__, {:lookup, id}, :infinity)

  @impl true
  def init(nil), do: {:ok, nil}

  @impl true
  def handle_call({:lookup, id}, _from, state), do: {:reply, Bench.Pool.query(id), state}
end

defmodule Bench.Plain do
  @moduledoc "The fix: the same lookup as a plain function, run in the caller."
  def lookup(id), do: Bench.Pool.query(id)
end

defmodule Bench do
  def run(callers, queries, lookup) do
    started = System.monotonic_time(:microsecond)

    waits =
      1..callers
      |> Task.async_stream(
        fn _caller ->
          for q <- 1..queries do
            t = System.monotonic_time(:microsecond)
            ^q = lookup.(q)
            System.monotonic_time(:microsecond) - t
          end
        end,
        max_concurrency: callers,
        timeout: :infinity
      )
      |> Enum.flat_map(fn {:ok, times} -> times end)
      |> Enum.sort()

    seconds = (System.monotonic_time(:microsecond) - started) / 1_000_000
    %{seconds: seconds, per_second: callers * queries / seconds, p50_ms: pct(waits, 0.5), p99_ms: pct(waits, 0.99)}
  end

  defp pct(sorted, p), do: Enum.at(sorted, min(length(sorted) - 1, floor(length(sorted) * p))) / 1000
end

[callers, queries, query_ms] =
  case System.argv() do
    [c, q, ms] -> Enum.map([c, q, ms], &String.to_integer/1)
    [c, q] -> Enum.map([c, q], &String.to_integer/1) ++ [5]
    _ -> [50, 10, 5]
  end

Bench.Pool.start(query_ms)
{:ok, _} = Bench.Singleton.start_link()

singleton = Bench.run(callers, queries, &Bench.Singleton.lookup/1)
plain = Bench.run(callers, queries, &Bench.Plain.lookup/1)

line = fn label, r ->
  :io.format("~-22s ~8.1f lookups/s   caller waits p50 ~7.1f ms  p99 ~7.1f ms   (~.2f s)~n", [label, r.per_second, r.p50_ms, r.p99_ms, r.seconds])
end

IO.puts("#{callers} callers x #{queries} lookups, #{query_ms} ms query, pool of 10 connections")
line.("singleton GenServer", singleton)
line.("query in the caller", plain)
:io.format("throughput ratio (fix / singleton): ~.1fx~n", [plain.per_second / singleton.per_second])
