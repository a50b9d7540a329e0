# relman's questions to Mix (core/mixrun.c). Run as `elixir -e THIS` in the
# project directory: it defines the task relman.query and hands it to
# Mix.CLI, so mix.exs, MIX_ENV and config/config.exs are loaded exactly as by
# `mix TASK`, but no app.config task runs: config/runtime.exs (and
# releases.exs) are never evaluated. RELMAN_MIX_DO says what to do:
#   project    the project's release settings, as one term
#   providers  RELMAN_MIX_RELEASE's config_providers, each {Module, Module.init(Opts)}
#   step       call step RELMAN_MIX_STEP (1-based) of RELMAN_MIX_RELEASE's steps
#              with the %Mix.Release{} of the release relman assembles at
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
    umbrella = Mix.Project.umbrella?()
    children = if umbrella, do: Map.keys(Mix.Project.apps_paths() || %{}), else: []

    t = [
      app: c[:app],
      version: c[:version],
      umbrella: umbrella,
      children: Enum.sort(children),
      default_release: c[:default_release],
      config_path: c[:config_path],
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

  defp act("step") do
    name = release_name()
    index = String.to_integer(System.fetch_env!("RELMAN_MIX_STEP"))

    over = [
      path: System.fetch_env!("RELMAN_MIX_PATH"),
      version: System.fetch_env!("RELMAN_MIX_VSN")
    ]

    release = Mix.Release.from_config!(name, Mix.Project.config(), over)
    step = Enum.at(release.steps, index - 1)

    unless is_function(step, 1) do
      Mix.raise(
        "mix.exs: release #{name}: step #{index} is #{inspect(step)}, not a function of one " <>
          "argument; run `relman init --import` again"
      )
    end

    release = %{release | steps: Enum.drop(release.steps, index)}
    result = step.(release)

    unless is_struct(result, Mix.Release) do
      Mix.raise(
        "mix.exs: release #{name}: step #{inspect(step)} returned #{inspect(result)}, " <>
          "not the %Mix.Release{} it was given"
      )
    end

    changed =
      for k <- release |> Map.from_struct() |> Map.keys() |> Enum.sort(),
          Map.get(result, k) != Map.get(release, k),
          do: inspect(k)

    if changed != [] do
      Mix.raise(
        "mix.exs: release #{name}: step #{inspect(step)} changed #{Enum.join(changed, ", ")} " <>
          "of the release, which relman cannot carry into its assembly; do that in a " <>
          "relman.yml hook instead (steps: [{run: COMMAND}])"
      )
    end

    :ok
  end
end

Mix.start()
Mix.CLI.main(["relman.query"])
