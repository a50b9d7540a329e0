defmodule PhxLike.Page do
  @moduledoc "The text the endpoint serves."

  def render(path) do
    repo = PhxLike.Repo.info()
    endpoint = Application.fetch_env!(:phx_like, PhxLike.Endpoint)

    """
    phx_like #{Application.spec(:phx_like, :vsn)} at #{path}
    database #{repo.database} on #{repo.host}
    secret_key_base #{byte_size(Keyword.get(endpoint, :secret_key_base, ""))} bytes
    greeting #{Application.get_env(:phx_like, :greeting, "none")}
    """
  end
end
