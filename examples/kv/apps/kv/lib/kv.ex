defmodule KV do
  @moduledoc """
  Storage side of the key-value store.

  Starting the `:kv` application starts `KV.Supervisor`, which owns the
  bucket registry, the dynamic supervisor holding the buckets and the task
  supervisor used by `KV.Router` to run requests on behalf of other nodes.
  """
  use Application

  @impl true
  def start(_type, _args) do
    KV.Supervisor.start_link(name: KV.Supervisor)
  end
end
