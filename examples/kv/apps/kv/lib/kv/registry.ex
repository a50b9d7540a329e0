defmodule KV.Registry do
  @moduledoc """
  Maps bucket names to bucket pids.

  Writes (creating buckets) are serialized through this GenServer, while
  reads go straight to a protected, named ETS table owned by it. Every
  bucket is monitored so its entry disappears when the bucket goes down.
  """
  use GenServer

  ## Client API

  @doc """
  Starts a registry. `:name` is required: it names both the process and
  its ETS table.
  """
  def start_link(opts) do
    name = Keyword.fetch!(opts, :name)
    GenServer.start_link(__MODULE__, name, opts)
  end

  @doc "Returns `{:ok, pid}` for an existing bucket, `:error` otherwise."
  def lookup(table, name) when is_atom(table) do
    case :ets.lookup(table, name) do
      [{^name, pid}] -> {:ok, pid}
      [] -> :error
    end
  end

  @doc "Creates bucket `name` unless it already exists; returns its pid."
  def create(server, name) do
    GenServer.call(server, {:create, name})
  end

  ## Server callbacks

  @impl true
  def init(table) do
    names = :ets.new(table, [:named_table, :protected, read_concurrency: true])
    {:ok, %{names: names, refs: %{}}}
  end

  @impl true
  def handle_call({:create, name}, _from, state) do
    case lookup(state.names, name) do
      {:ok, pid} ->
        {:reply, pid, state}

      :error ->
        {:ok, pid} = DynamicSupervisor.start_child(KV.BucketSupervisor, KV.Bucket)
        ref = Process.monitor(pid)
        :ets.insert(state.names, {name, pid})
        {:reply, pid, %{state | refs: Map.put(state.refs, ref, name)}}
    end
  end

  @impl true
  def handle_info({:DOWN, ref, :process, _pid, _reason}, state) do
    {name, refs} = Map.pop(state.refs, ref)
    if name, do: :ets.delete(state.names, name)
    {:noreply, %{state | refs: refs}}
  end

  def handle_info(_other, state) do
    {:noreply, state}
  end
end
