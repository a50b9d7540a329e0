defmodule PhxLike.Application do
  # See https://hexdocs.pm/elixir/Application.html
  @moduledoc false

  use Application

  @impl true
  def start(_type, _args) do
    children = [
      PhxLike.Repo,
      PhxLike.Endpoint
    ]

    opts = [strategy: :one_for_one, name: PhxLike.Supervisor]
    Supervisor.start_link(children, opts)
  end
end
