# relman's questions to Mix (core/mixrun.c). Run as `elixir -e THIS` in the
# project directory: it defines the task relman.query and hands it to
# Mix.CLI, so mix.exs, MIX_ENV and config/config.exs are loaded exactly as by
# `mix TASK`, but no app.config task runs: config/runtime.exs (and
# releases.exs) are never evaluated. RELMAN_MIX_DO says what to do:
#   project    the project's release settings, as one term
#   providers  RELMAN_MIX_RELEASE's config_providers, each {Module, Module.init(Opts)}
#   pipeline   run RELMAN_MIX_RELEASE's steps in the order RELMAN_MIX_PLAN
#              gives (mN: the Nth step of mix.exs, a: assemble, t: tar,
#              hK: relman's hook K), the function steps called with the
#              %Mix.Release{} of the release relman assembles at
#              RELMAN_MIX_PATH (version RELMAN_MIX_VSN)
# Terms are printed between the lines RELMAN-BEGIN and RELMAN-END.
defmodule Mix.Tasks.Relman.Query do
  use Mix.Task
  @moduledoc false

  @impl true
  def run(_args) do
    Mix.Task.run("loadpaths", [
      "--no-deps-check",
      "--no-archives-check",
      "--no-elixir-version-check"
    ])

    act(System.fetch_env!("RELMAN_MIX_DO"))
  end

  defp emit(format, term) do
    IO.puts("RELMAN-BEGIN")
    IO.puts(:io_lib.format(format, [term]))
    IO.puts("RELMAN-END")
  end

  # Elixir strings as charlists, functions and values a term cannot hold
  # as {relman_function | relman_unsupported, Text}.
  defp plain(x) when is_binary(x), do: String.to_charlist(x)
  defp plain(x) when is_list(x), do: Enum.map(x, &plain/1)
  defp plain(x) when is_tuple(x), do: x |> Tuple.to_list() |> Enum.map(&plain/1) |> List.to_tuple()
  defp plain(x) when is_map(x), do: Map.new(x, fn {k, v} -> {plain(k), plain(v)} end)
  defp plain(x) when is_function(x), do: {:relman_function, String.to_charlist(inspect(x))}
  defp plain(x) when is_atom(x) or is_number(x), do: x
  defp plain(x), do: {:relman_unsupported, String.to_charlist(inspect(x))}

  defp release_opts(c, name) do
    app = c[:app]

    case Keyword.fetch(c[:releases] || [], name) do
      {:ok, o} when is_function(o, 0) -> o.()
      {:ok, o} -> o
      :error when name == app -> []
      :error -> Mix.raise("mix.exs has no release #{inspect(name)}")
    end
  end

  defp release_name, do: String.to_atom(System.fetch_env!("RELMAN_MIX_RELEASE"))

  defp act("project") do
    c = Mix.Project.config()
    rels = for {n, _} <- Keyword.get(c, :releases, []), do: {n, release_opts(c, n)}

    # include_erts given as a function: mix calls it when it builds; the
    # import takes its value, and says so
    rels =
      for {n, o} <- rels do
        {n,
         Enum.map(o, fn
           {:include_erts, e} when is_function(e, 0) ->
             {:include_erts, {:relman_evaluated, e.(), inspect(e)}}

           kv ->
             kv
         end)}
      end
    umbrella = Mix.Project.umbrella?()
    children = if umbrella, do: Map.keys(Mix.Project.apps_paths() || %{}), else: []

    t = [
      app: c[:app],
      version: c[:version],
      umbrella: umbrella,
      children: Enum.sort(children),
      default_release: c[:default_release],
      config_path: c[:config_path],
      build_path: c[:build_path],
      releases: rels
    ]

    emit(~c"~tp.", plain(t))
  end

  defp act("providers") do
    name = release_name()
    opts = release_opts(Mix.Project.config(), name)

    providers =
      for {m, o} <- Keyword.get(opts, :config_providers, []) do
        unless Code.ensure_loaded?(m) do
          Mix.raise(
            "mix.exs: release #{name}: config provider #{inspect(m)} is not available " <>
              "(not compiled, or not an application of the project?)"
          )
        end

        {m, m.init(o)}
      end

    emit(~c"~w.", providers)
  end

  # The release's steps, Mix holding the %Mix.Release{} from one step to the
  # next as `mix release` does; relman does :assemble, :tar and its own
  # hooks when asked (a line "RELMAN-DO WHAT" on stdout, answered by relman
  # writing "ok" or "fail" to the file RELMAN_MIX_REPLY).
  defp act("pipeline") do
    name = release_name()
    over = [path: System.fetch_env!("RELMAN_MIX_PATH"), version: System.fetch_env!("RELMAN_MIX_VSN")]
    release = Mix.Release.from_config!(name, Mix.Project.config(), over)

    queue =
      System.fetch_env!("RELMAN_MIX_PLAN")
      |> String.split(" ", trim: true)
      |> Enum.map(fn
        "a" -> :assemble
        "t" -> :tar
        "h" <> k -> {:relman_hook, String.to_integer(k)}
        "m" <> n -> mix_step(release, name, String.to_integer(n))
      end)

    pipe(queue, release, name)
  end

  defp mix_step(release, name, n) do
    step = Enum.at(release.steps, n - 1)

    unless is_function(step, 1) do
      Mix.raise(
        "mix.exs: release #{name}: step #{n} is #{inspect(step)}, not a function of one " <>
          "argument; run `relman init --import` again"
      )
    end

    step
  end

  defp visible(queue), do: Enum.reject(queue, &match?({:relman_hook, _}, &1))

  defp pipe([], _release, _name), do: :ok

  defp pipe([item | rest], release, name) when is_atom(item) or is_tuple(item) do
    case item do
      :assemble -> ask("assemble")
      :tar -> ask("tar")
      {:relman_hook, k} -> ask("hook #{k}")
      other -> Mix.raise("mix.exs: release #{name}: unknown step #{inspect(other)}")
    end

    release = if item == :assemble, do: assembled(release), else: release
    pipe(rest, release, name)
  end

  defp pipe([step | rest], release, name) when is_function(step, 1) do
    given = %{release | steps: visible(rest)}
    result = step.(given)

    unless is_struct(result, Mix.Release) do
      Mix.raise(
        "mix.exs: release #{name}: step #{inspect(step)} returned #{inspect(result)}, " <>
          "not the %Mix.Release{} it was given"
      )
    end

    changed =
      for k <- given |> Map.from_struct() |> Map.keys() |> Enum.sort(),
          k != :steps,
          Map.get(result, k) != Map.get(given, k),
          do: inspect(k)

    if changed != [] do
      Mix.raise(
        "mix.exs: release #{name}: step #{inspect(step)} changed #{Enum.join(changed, ", ")} " <>
          "of the release, which relman cannot carry into its assembly; do that in a " <>
          "relman.yml hook instead (steps: [{run: COMMAND}])"
      )
    end

    rest =
      cond do
        result.steps == given.steps ->
          rest

        Enum.any?(rest, &match?({:relman_hook, _}, &1)) ->
          Mix.raise(
            "mix.exs: release #{name}: step #{inspect(step)} changed the steps, and relman.yml " <>
              "hooks ({run: ...}) follow it: relman cannot tell where they go"
          )

        true ->
          result.steps
      end

    pipe(rest, result, name)
  end

  defp pipe([other | _], _release, name),
    do: Mix.raise("mix.exs: release #{name}: a step is #{inspect(other)}, not a function")

  # What `mix release`'s assembly adds to the struct the next steps get: the
  # overlay files (relative paths). (The runtime.exs Config.Reader it adds
  # stays inside its assembly: later steps do not see it.)
  defp assembled(release) do
    default = Mix.Release.rel_templates_path(release, "overlays")
    dirs = List.wrap(release.options[:overlays])
    dirs = if File.dir?(default), do: [default | dirs], else: dirs

    copied =
      dirs
      |> Enum.flat_map(fn dir ->
        Path.join(dir, "**") |> Path.wildcard(match_dot: true) |> Enum.map(&Path.relative_to(&1, dir))
      end)
      |> Enum.uniq()

    %{release | overlays: copied ++ release.overlays}
  end

  defp ask(what) do
    reply = System.fetch_env!("RELMAN_MIX_REPLY")
    IO.puts("RELMAN-DO #{what}")
    answer = wait(reply)
    File.rm(reply)
    # relman reports why it failed; nothing to add
    if answer != "ok", do: System.halt(3)
  end

  defp wait(reply, n \\ 0) do
    case File.read(reply) do
      {:ok, answer} ->
        answer

      {:error, _} ->
        # relman gone (this VM handed to another parent): nobody will answer
        if rem(n, 50) == 49 and orphan?(), do: System.halt(4)
        Process.sleep(10)
        wait(reply, n + 1)
    end
  end

  defp orphan? do
    case File.read("/proc/self/stat") do
      {:ok, stat} ->
        # pid (comm) state ppid ...; comm may hold spaces, so after the last ")"
        [_state, ppid | _] = stat |> String.split(")") |> List.last() |> String.split()
        ppid != System.get_env("RELMAN_MIX_PARENT", ppid)

      {:error, _} ->
        false
    end
  end
end

Mix.start()
Mix.CLI.main(["relman.query"])
