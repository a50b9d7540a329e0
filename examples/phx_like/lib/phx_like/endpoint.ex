defmodule PhxLike.Endpoint do
  @moduledoc """
  The "web" part: a minimal HTTP/1.1 endpoint on :gen_tcp. Every request
  gets a plain-text page (PhxLike.Page) and the connection is closed.
  """
  use Task, restart: :permanent
  require Logger

  def start_link(_opts), do: Task.start_link(__MODULE__, :listen, [])

  def listen do
    config = Application.fetch_env!(:phx_like, __MODULE__)
    http = Keyword.fetch!(config, :http)
    port = Keyword.fetch!(http, :port)
    ip = Keyword.get(http, :ip, {127, 0, 0, 1})

    {:ok, socket} =
      :gen_tcp.listen(port, [:binary, packet: :http_bin, active: false, reuseaddr: true, ip: ip])

    Logger.info("PhxLike.Endpoint listening on port #{port}")
    accept(socket)
  end

  defp accept(socket) do
    {:ok, client} = :gen_tcp.accept(socket)
    pid = spawn(fn -> receive do: (:go -> serve(client)) end)
    :ok = :gen_tcp.controlling_process(client, pid)
    send(pid, :go)
    accept(socket)
  end

  defp serve(client) do
    body = PhxLike.Page.render(request_path(client, "/"))

    :gen_tcp.send(client, [
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ",
      Integer.to_string(byte_size(body)),
      "\r\nconnection: close\r\n\r\n",
      body
    ])

    :gen_tcp.close(client)
  end

  defp request_path(client, path) do
    case :gen_tcp.recv(client, 0, 5000) do
      {:ok, {:http_request, _method, {:abs_path, p}, _}} -> request_path(client, p)
      {:ok, {:http_header, _, _, _, _}} -> request_path(client, path)
      _ -> path
    end
  end
end
