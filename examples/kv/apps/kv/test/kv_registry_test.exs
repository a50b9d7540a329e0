defmodule KV.RegistryTest do
  use ExUnit.Case, async: true

  setup context do
    # Each test gets its own registry (and ETS table) named after the test.
    _ = start_supervised!({KV.Registry, name: context.test})
    %{registry: context.test}
  end

  test "lookup of an unknown bucket is :error", %{registry: registry} do
    assert KV.Registry.lookup(registry, "nothing-here") == :error
  end

  test "create registers a live bucket", %{registry: registry} do
    pid = KV.Registry.create(registry, "shopping")
    assert {:ok, ^pid} = KV.Registry.lookup(registry, "shopping")

    KV.Bucket.put(pid, "milk", "1")
    assert KV.Bucket.get(pid, "milk") == "1"
  end

  test "create is idempotent", %{registry: registry} do
    first = KV.Registry.create(registry, "shopping")
    assert KV.Registry.create(registry, "shopping") == first
  end

  test "a stopped bucket is forgotten", %{registry: registry} do
    pid = KV.Registry.create(registry, "groceries")
    Agent.stop(pid)

    # A synchronous call guarantees the registry already handled :DOWN.
    _ = KV.Registry.create(registry, "sync")
    assert KV.Registry.lookup(registry, "groceries") == :error
  end

  test "a crashed bucket is forgotten", %{registry: registry} do
    pid = KV.Registry.create(registry, "groceries")
    ref = Process.monitor(pid)
    Process.exit(pid, :kill)
    assert_receive {:DOWN, ^ref, :process, ^pid, :killed}

    _ = KV.Registry.create(registry, "sync")
    assert KV.Registry.lookup(registry, "groceries") == :error
  end

  test "buckets live under KV.BucketSupervisor", %{registry: registry} do
    pid = KV.Registry.create(registry, "supervised")

    children =
      for {_, child, _, _} <- DynamicSupervisor.which_children(KV.BucketSupervisor), do: child

    assert pid in children
  end
end
