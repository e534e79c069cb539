defmodule Shop.CatalogImport do
  @moduledoc """
  Imports a supplier's CSV feed into the catalog.
  """

  require Logger

  alias Shop.ImportProgress

  def run(path) do
    {:ok, progress} = ImportProgress.start(total: count_lines(path)) # expect: unsupervised-start

    path
    |> File.stream!()
    |> Stream.drop(1)
    |> Enum.each(fn line ->
      import_line(line)
      ImportProgress.tick(progress)
    end)

    Logger.info("imported #{ImportProgress.done(progress)} products from #{path}")
    ImportProgress.stop(progress)
  end

  # A linked helper belongs to the process that runs this: not flagged.
  def run_linked(path) do
    spawn_link(fn -> run(path) end)
  end

  defp count_lines(path), do: path |> File.stream!() |> Enum.count()

  defp import_line(line) do
    [sku, name, price] = line |> String.trim() |> String.split(",")
    Logger.debug("import #{sku} #{name} #{price}")
  end
end
