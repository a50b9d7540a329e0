defmodule KVServerTest do
  use ExUnit.Case, async: true

  # The application is started by `mix test`; in the test environment it
  # listens on an ephemeral port (PORT defaults to 0), see config/runtime.exs.
  setup do
    opts = [:binary, packet: :line, active: false]
    {:ok, socket} = :gen_tcp.connect(~c"127.0.0.1", KVServer.port(), opts)
    on_exit(fn -> :gen_tcp.close(socket) end)
    %{socket: socket}
  end

  defp ask(socket, line) do
    :ok = :gen_tcp.send(socket, line)
    {:ok, answer} = :gen_tcp.recv(socket, 0, 2_000)
    answer
  end

  test "speaks the protocol over TCP", %{socket: socket} do
    bucket = "tcp#{System.unique_integer([:positive])}"

    assert ask(socket, "UNKNOWN #{bucket}\r\n") == "UNKNOWN COMMAND\r\n"
    assert ask(socket, "GET #{bucket} milk\r\n") == "NOT FOUND\r\n"
    assert ask(socket, "CREATE #{bucket}\r\n") == "OK\r\n"
    assert ask(socket, "PUT #{bucket} milk 1\r\n") == "OK\r\n"
    assert ask(socket, "GET #{bucket} milk\r\n") == "1\r\n"
    assert ask(socket, "DELETE #{bucket} milk\r\n") == "OK\r\n"
    assert ask(socket, "GET #{bucket} milk\r\n") == "\r\n"
  end

  test "clients are served concurrently and share buckets", %{socket: first} do
    bucket = "shared#{System.unique_integer([:positive])}"

    {:ok, second} =
      :gen_tcp.connect(~c"127.0.0.1", KVServer.port(), [:binary, packet: :line, active: false])

    assert ask(first, "CREATE #{bucket}\r\n") == "OK\r\n"
    assert ask(second, "PUT #{bucket} eggs 12\r\n") == "OK\r\n"
    assert ask(first, "GET #{bucket} eggs\r\n") == "12\r\n"

    :gen_tcp.close(second)
  end

  test "a client disconnecting does not affect the acceptor", %{socket: socket} do
    acceptor =
      Process.whereis(KVServer.Supervisor)
      |> Supervisor.which_children()
      |> Enum.find_value(fn {id, pid, _, _} -> if id == KVServer, do: pid end)

    {:ok, other} =
      :gen_tcp.connect(~c"127.0.0.1", KVServer.port(), [:binary, packet: :line, active: false])

    :ok = :gen_tcp.close(other)

    assert ask(socket, "UNKNOWN\r\n") == "UNKNOWN COMMAND\r\n"
    assert Process.alive?(acceptor)
  end
end
