defmodule Shop.ImportProgress do
  @moduledoc """
  Progress of one catalog import: one Agent per import, handed around by pid.
  """

  use Agent

  def start_link(opts), do: Agent.start_link(fn -> initial(opts) end)

  def start(opts), do: Agent.start(fn -> initial(opts) end)

  def tick(pid), do: Agent.update(pid, &Map.update!(&1, :done, fn done -> done + 1 end))

  def done(pid), do: Agent.get(pid, & &1.done)

  def stop(pid), do: Agent.stop(pid)

  defp initial(opts), do: %{total: Keyword.fetch!(opts, :total), done: 0}
end
