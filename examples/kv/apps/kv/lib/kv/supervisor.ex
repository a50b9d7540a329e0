defmodule KV.Supervisor do
  @moduledoc """
  Top-level supervisor of the `:kv` application.

  The registry relies on `KV.BucketSupervisor` being up, and buckets are
  meaningless without the registry that names them, so everything restarts
  together (`:one_for_all`).
  """
  use Supervisor

  def start_link(opts) do
    Supervisor.start_link(__MODULE__, :ok, opts)
  end

  @impl true
  def init(:ok) do
    children = [
      {DynamicSupervisor, name: KV.BucketSupervisor, strategy: :one_for_one},
      {KV.Registry, name: KV.Registry},
      {Task.Supervisor, name: KV.RouterTasks}
    ]

    Supervisor.init(children, strategy: :one_for_all)
  end
end
