defmodule KV.RuntimeConfigTest do
  # Not async: manipulates OS environment variables.
  use ExUnit.Case

  @runtime_exs Path.expand("../../../config/runtime.exs", __DIR__)

  setup do
    saved = for var <- ~w(KV_ROUTING PORT), into: %{}, do: {var, System.get_env(var)}

    on_exit(fn ->
      for {var, value} <- saved do
        if value, do: System.put_env(var, value), else: System.delete_env(var)
      end
    end)

    System.delete_env("KV_ROUTING")
    System.delete_env("PORT")
    :ok
  end

  defp read(env) do
    Config.Reader.read!(@runtime_exs, env: env)
  end

  test "without KV_ROUTING every bucket is local" do
    assert read(:prod)[:kv][:routing_table] == [{?a..?z, node()}]
  end

  test "KV_ROUTING is parsed into letter ranges and node atoms" do
    System.put_env("KV_ROUTING", "a-m=foo@127.0.0.1, n-z = bar@127.0.0.1")

    assert read(:prod)[:kv][:routing_table] == [
             {?a..?m, :"foo@127.0.0.1"},
             {?n..?z, :"bar@127.0.0.1"}
           ]
  end

  test "single letters are accepted" do
    System.put_env("KV_ROUTING", "s=special@host,a-z=other@host")
    assert read(:prod)[:kv][:routing_table] == [{?s..?s, :special@host}, {?a..?z, :other@host}]
  end

  test "malformed KV_ROUTING is rejected" do
    for bad <- ["a-m", "a-m=nohost", "m-a=foo@host", "abc=foo@host", ","] do
      System.put_env("KV_ROUTING", bad)
      assert_raise ArgumentError, fn -> read(:prod) end
    end
  end

  test "PORT defaults to 4040, or 0 (ephemeral) in the test environment" do
    assert read(:prod)[:kv_server][:port] == 4040
    assert read(:test)[:kv_server][:port] == 0

    System.put_env("PORT", "5050")
    assert read(:prod)[:kv_server][:port] == 5050
  end

  test "invalid PORT is rejected" do
    System.put_env("PORT", "http")
    assert_raise ArgumentError, fn -> read(:prod) end
  end
end
