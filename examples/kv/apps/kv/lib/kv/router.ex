defmodule KV.Router do
  @moduledoc """
  Sends a request to the node responsible for a bucket.

  The routing table lives in the `:kv` application environment under
  `:routing_table` and is a list of `{first_letter_range, node}` pairs, e.g.
  `[{?a..?m, :"foo@host"}, {?n..?z, :"bar@host"}]`. It is normally computed
  by `config/runtime.exs` when the node boots.
  """

  defmodule UnknownBucketError do
    @moduledoc "Raised when no routing entry covers a bucket name."
    defexception [:bucket]

    @impl true
    def message(%{bucket: bucket}) do
      "could not find a routing entry for bucket #{inspect(bucket)}"
    end
  end

  @doc """
  Runs `apply(mod, fun, args)` on the node that owns `bucket`.

  Runs locally when the owner is the current node; otherwise the call is
  started under `KV.RouterTasks` on the owner (connecting to it if needed)
  and awaited. Raises `KV.Router.UnknownBucketError` if no entry of the
  table covers the bucket.
  """
  def route(bucket, mod, fun, args) do
    target = node_for!(bucket, table())

    if target == node() do
      apply(mod, fun, args)
    else
      {KV.RouterTasks, target}
      |> Task.Supervisor.async(__MODULE__, :route, [bucket, mod, fun, args])
      |> Task.await()
    end
  end

  @doc """
  Returns the node in `table` that owns `bucket`, or `nil` when no range
  covers the bucket's first byte.
  """
  def node_for(bucket, table) when is_binary(bucket) do
    case bucket do
      <<first, _rest::binary>> ->
        Enum.find_value(table, fn {range, node} -> if first in range, do: node end)

      "" ->
        nil
    end
  end

  @doc "Like `node_for/2`, but raises for buckets no entry covers."
  def node_for!(bucket, table) do
    node_for(bucket, table) || raise(UnknownBucketError, bucket: bucket)
  end

  @doc "The current routing table."
  def table do
    Application.fetch_env!(:kv, :routing_table)
  end
end
