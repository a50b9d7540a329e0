defmodule KVServer do
  @moduledoc """
  Line-based TCP front end for the key-value store.

  `KVServer` is a single acceptor process: it opens the listening socket
  while it starts (so a busy port makes the application fail to start right
  away) and then accepts clients forever. Every client is served by its own
  task under `KVServer.TaskSupervisor`, so a misbehaving client cannot take
  down the acceptor or other clients.

  See `KVServer.Command` for the protocol.
  """
  require Logger

  @doc false
  def child_spec(opts) do
    %{id: __MODULE__, start: {__MODULE__, :start_link, [opts]}, restart: :permanent}
  end

  @doc """
  Starts the acceptor listening on `opts[:port]` (0 picks a free port).
  """
  def start_link(opts) do
    port = Keyword.fetch!(opts, :port)
    :proc_lib.start_link(__MODULE__, :init, [self(), port])
  end

  @doc "The TCP port the server is actually listening on."
  def port do
    :persistent_term.get({__MODULE__, :port})
  end

  @doc false
  def init(parent, port) do
    options = [:binary, packet: :line, active: false, reuseaddr: true]

    case :gen_tcp.listen(port, options) do
      {:ok, listen_socket} ->
        {:ok, actual_port} = :inet.port(listen_socket)
        :persistent_term.put({__MODULE__, :port}, actual_port)
        Logger.info("Accepting connections on port #{actual_port}")
        :proc_lib.init_ack(parent, {:ok, self()})
        accept_loop(listen_socket)

      {:error, reason} ->
        Logger.error("Could not listen on port #{port}: #{:inet.format_error(reason)}")
        :proc_lib.init_ack(parent, {:error, reason})
    end
  end

  defp accept_loop(listen_socket) do
    {:ok, client} = :gen_tcp.accept(listen_socket)
    {:ok, pid} = Task.Supervisor.start_child(KVServer.TaskSupervisor, fn -> serve(client) end)
    # Hand the socket over so it is closed when the serving task exits. This
    # only fails if the client is already gone, which is harmless.
    _ = :gen_tcp.controlling_process(client, pid)
    accept_loop(listen_socket)
  end

  defp serve(socket) do
    case :gen_tcp.recv(socket, 0) do
      {:ok, line} ->
        reply =
          case KVServer.Command.parse(line) do
            {:ok, command} -> KVServer.Command.run(command)
            {:error, _} = error -> error
          end

        case :gen_tcp.send(socket, KVServer.Command.format(reply)) do
          :ok -> serve(socket)
          {:error, _closed} -> :gen_tcp.close(socket)
        end

      {:error, _closed} ->
        :gen_tcp.close(socket)
    end
  end
end
