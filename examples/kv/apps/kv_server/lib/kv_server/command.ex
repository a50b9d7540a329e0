defmodule KVServer.Command do
  @moduledoc """
  The text protocol spoken by `KVServer`.

  One command per line, words separated by whitespace:

      CREATE bucket          -> OK
      PUT bucket key value   -> OK
      GET bucket key         -> the value (an empty line if the key is unset)
      DELETE bucket key      -> OK

  A command naming a bucket that does not exist (or that no routing entry
  covers) gets `NOT FOUND`; anything else gets `UNKNOWN COMMAND`. Every
  answer is a single line terminated by CRLF.

  Buckets are reached through `KV.Router`, so a bucket may live on another
  node of the cluster.
  """

  @type command ::
          {:create, String.t()}
          | {:get, String.t(), String.t()}
          | {:put, String.t(), String.t(), String.t()}
          | {:delete, String.t(), String.t()}

  @type result :: {:ok, String.t()} | {:error, :unknown_command | :not_found}

  @doc """
  Parses one line of input.

  ## Examples

      iex> KVServer.Command.parse("CREATE shopping\\r\\n")
      {:ok, {:create, "shopping"}}

      iex> KVServer.Command.parse("PUT shopping milk 1\\r\\n")
      {:ok, {:put, "shopping", "milk", "1"}}

      iex> KVServer.Command.parse("GET shopping milk\\r\\n")
      {:ok, {:get, "shopping", "milk"}}

      iex> KVServer.Command.parse("DELETE shopping milk\\r\\n")
      {:ok, {:delete, "shopping", "milk"}}

      iex> KVServer.Command.parse("GET shopping\\r\\n")
      {:error, :unknown_command}

  """
  @spec parse(String.t()) :: {:ok, command} | {:error, :unknown_command}
  def parse(line) when is_binary(line) do
    case String.split(line) do
      ["CREATE", bucket] -> {:ok, {:create, bucket}}
      ["GET", bucket, key] -> {:ok, {:get, bucket, key}}
      ["PUT", bucket, key, value] -> {:ok, {:put, bucket, key, value}}
      ["DELETE", bucket, key] -> {:ok, {:delete, bucket, key}}
      _ -> {:error, :unknown_command}
    end
  end

  @doc "Executes a parsed command against the (possibly remote) buckets."
  @spec run(command) :: result
  def run(command)

  def run({:create, bucket}) do
    with_route(fn ->
      _pid = KV.Router.route(bucket, KV.Registry, :create, [KV.Registry, bucket])
      {:ok, "OK"}
    end)
  end

  def run({:get, bucket, key}) do
    with_bucket(bucket, fn pid -> {:ok, KV.Bucket.get(pid, key) || ""} end)
  end

  def run({:put, bucket, key, value}) do
    with_bucket(bucket, fn pid ->
      :ok = KV.Bucket.put(pid, key, value)
      {:ok, "OK"}
    end)
  end

  def run({:delete, bucket, key}) do
    with_bucket(bucket, fn pid ->
      _old = KV.Bucket.delete(pid, key)
      {:ok, "OK"}
    end)
  end

  @doc "Turns a result into the line sent back to the client."
  @spec format(result) :: String.t()
  def format({:ok, text}), do: text <> "\r\n"
  def format({:error, :unknown_command}), do: "UNKNOWN COMMAND\r\n"
  def format({:error, :not_found}), do: "NOT FOUND\r\n"

  defp with_bucket(bucket, fun) do
    with_route(fn ->
      case KV.Router.route(bucket, KV.Registry, :lookup, [KV.Registry, bucket]) do
        {:ok, pid} -> fun.(pid)
        :error -> {:error, :not_found}
      end
    end)
  end

  defp with_route(fun) do
    fun.()
  rescue
    KV.Router.UnknownBucketError -> {:error, :not_found}
  end
end
