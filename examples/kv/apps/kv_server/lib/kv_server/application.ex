defmodule KVServer.Application do
  @moduledoc false
  use Application

  @impl true
  def start(_type, _args) do
    port = Application.fetch_env!(:kv_server, :port)

    children = [
      {Task.Supervisor, name: KVServer.TaskSupervisor},
      {KVServer, port: port}
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: KVServer.Supervisor)
  end
end
