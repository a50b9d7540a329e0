defmodule KV.Bucket do
  @moduledoc """
  A bucket is a process (an `Agent`) holding a map of keys to values.

  Buckets are started under `KV.BucketSupervisor` by `KV.Registry` and are
  never restarted: if a bucket dies, the registry forgets about it.
  """
  use Agent, restart: :temporary

  @doc "Starts an empty bucket."
  def start_link(_opts \\ []) do
    Agent.start_link(fn -> %{} end)
  end

  @doc "Returns the value stored under `key`, or `nil`."
  def get(bucket, key) do
    Agent.get(bucket, &Map.get(&1, key))
  end

  @doc "Stores `value` under `key`."
  def put(bucket, key, value) do
    Agent.update(bucket, &Map.put(&1, key, value))
  end

  @doc "Removes `key`, returning the value it had (or `nil`)."
  def delete(bucket, key) do
    Agent.get_and_update(bucket, &Map.pop(&1, key))
  end
end
