# Runtime configuration: evaluated every time the system boots -- by Mix for
# `mix run`/`mix test`, and by the release itself on every start. Because it
# runs on the booting node, node() here is the node's real name (for example
# foo@127.0.0.1), not the nonode@nohost the build machine would see.
#
# Must not use Mix or import other config files (it also runs in releases).
#
# Environment variables:
#
#   PORT        TCP port of kv_server. Defaults to 4040 (0, i.e. a free
#               ephemeral port, when MIX_ENV=test so tests never clash).
#
#   KV_ROUTING  Routing table, as comma separated RANGE=NODE entries where
#               RANGE is a first-letter range "a-m" or a single letter "x":
#
#                   KV_ROUTING="a-m=foo@127.0.0.1,n-z=bar@127.0.0.1"
#
#               becomes [{?a..?m, :"foo@127.0.0.1"}, {?n..?z, :"bar@127.0.0.1"}].
#               When unset or blank, every bucket is served locally:
#               [{?a..?z, node()}].
import Config

parse_routing = fn spec ->
  spec
  |> String.split(",", trim: true)
  |> Enum.map(&String.trim/1)
  |> Enum.reject(&(&1 == ""))
  |> Enum.map(fn entry ->
    {range, node_name} =
      case String.split(entry, "=", parts: 2) do
        [range, node_name] -> {String.trim(range), String.trim(node_name)}
        _ -> raise ArgumentError, "KV_ROUTING entry #{inspect(entry)} is not RANGE=NODE"
      end

    unless node_name =~ ~r/^[^@\s]+@[^@\s]+$/ do
      raise ArgumentError,
            "KV_ROUTING entry #{inspect(entry)}: #{inspect(node_name)} is not name@host"
    end

    letters =
      case String.to_charlist(range) do
        [first, ?-, last] when first <= last ->
          first..last

        [single] ->
          single..single

        _ ->
          raise ArgumentError, "KV_ROUTING entry #{inspect(entry)}: bad range #{inspect(range)}"
      end

    {letters, String.to_atom(node_name)}
  end)
end

routing_table =
  case System.get_env("KV_ROUTING", "") |> String.trim() do
    "" -> [{?a..?z, node()}]
    spec -> parse_routing.(spec)
  end

if routing_table == [] do
  raise ArgumentError, "KV_ROUTING did not contain any RANGE=NODE entry"
end

config :kv, :routing_table, routing_table

default_port = if config_env() == :test, do: "0", else: "4040"

port_string =
  case System.get_env("PORT", "") |> String.trim() do
    "" -> default_port
    value -> value
  end

port =
  case Integer.parse(port_string) do
    {port, ""} when port in 0..65535 ->
      port

    _ ->
      raise ArgumentError,
            "PORT must be an integer between 0 and 65535, got: #{inspect(port_string)}"
  end

config :kv_server, :port, port
