defmodule KV.RouterTest do
  # Not async: some tests change the global application environment.
  use ExUnit.Case

  @table [{?a..?m, :foo@example}, {?n..?z, :bar@example}]

  describe "node_for/2" do
    test "picks the entry whose range covers the first letter" do
      assert KV.Router.node_for("apple", @table) == :foo@example
      assert KV.Router.node_for("mango", @table) == :foo@example
      assert KV.Router.node_for("nuts", @table) == :bar@example
      assert KV.Router.node_for("shopping", @table) == :bar@example
      assert KV.Router.node_for("z", @table) == :bar@example
    end

    test "first matching entry wins" do
      table = [{?s..?s, :special@example} | @table]
      assert KV.Router.node_for("shopping", table) == :special@example
      assert KV.Router.node_for("tea", table) == :bar@example
    end

    test "returns nil for buckets outside every range" do
      assert KV.Router.node_for("Shopping", @table) == nil
      assert KV.Router.node_for("1st", @table) == nil
      assert KV.Router.node_for("", @table) == nil
      assert KV.Router.node_for("shopping", []) == nil
    end

    test "node_for!/2 raises for unknown buckets" do
      assert_raise KV.Router.UnknownBucketError, ~r/"Zoo"/, fn ->
        KV.Router.node_for!("Zoo", @table)
      end
    end
  end

  describe "route/4 with the default table" do
    test "the default table serves everything locally" do
      assert KV.Router.table() == [{?a..?z, node()}]
      assert KV.Router.route("hello", Kernel, :node, []) == node()
      assert KV.Router.route("world", Kernel, :self, []) == self()
    end

    test "raises for buckets outside the table" do
      assert_raise KV.Router.UnknownBucketError, fn ->
        KV.Router.route("Hello", Kernel, :node, [])
      end
    end
  end

  describe "route/4 across nodes" do
    # Run with a second node:
    #
    #   iex --sname bar -S mix                         (in apps/kv)
    #   elixir --sname foo -S mix test --only distributed
    setup do
      current = Application.fetch_env!(:kv, :routing_table)
      [_, host] = node() |> Atom.to_string() |> String.split("@")

      Application.put_env(:kv, :routing_table, [
        {?a..?m, node()},
        {?n..?z, :"bar@#{host}"}
      ])

      on_exit(fn -> Application.put_env(:kv, :routing_table, current) end)
      %{bar: :"bar@#{host}"}
    end

    @tag :distributed
    test "requests go to the owning node", %{bar: bar} do
      assert KV.Router.route("hello", Kernel, :node, []) == node()
      assert KV.Router.route("world", Kernel, :node, []) == bar
    end
  end
end
