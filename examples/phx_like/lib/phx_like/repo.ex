defmodule PhxLike.Repo do
  @moduledoc """
  Stands in for an Ecto repo: it only holds the database URL it was
  configured with (config/runtime.exs), as its host and database name.
  """
  use Agent

  def start_link(_opts) do
    config = Application.fetch_env!(:phx_like, __MODULE__)
    uri = URI.parse(Keyword.fetch!(config, :url))
    Agent.start_link(fn -> %{host: uri.host, database: String.trim_leading(uri.path || "", "/")} end,
      name: __MODULE__
    )
  end

  def info, do: Agent.get(__MODULE__, & &1)
end
