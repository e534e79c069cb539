defmodule Shop.RecentlyViewedTest do
  # Tests start servers by hand and poke them directly: none of that is flagged here.
  use ExUnit.Case, async: false

  setup do
    {:ok, _pid} = GenServer.start_link(Shop.RecentlyViewed, %{}, name: Shop.RecentlyViewed)
    :ok
  end

  test "keeps the latest product first, once" do
    Shop.RecentlyViewed.push(1, 10)
    Shop.RecentlyViewed.push(1, 11)
    Shop.RecentlyViewed.push(1, 10)
    assert GenServer.call(Shop.RecentlyViewed, {:list, 1}) == [10, 11]
  end

  test "imports in the background" do
    {:ok, progress} = Shop.ImportProgress.start_link(total: 1)
    spawn(fn -> Shop.ImportProgress.tick(progress) end)
    Process.sleep(10)
    assert Shop.ImportProgress.done(progress) == 1
  end
end
