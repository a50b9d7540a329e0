defmodule PhxLike.MixProject do
  use Mix.Project

  # A project shaped like the ones `mix phx.new --no-ecto --no-assets` makes,
  # without hex packages: the "web" part is a tiny HTTP endpoint on :gen_tcp
  # (lib/phx_like/endpoint.ex), the "repo" only reads its URL. What matters
  # for releases is all here: config/runtime.exs that raises in prod without
  # DATABASE_URL / SECRET_KEY_BASE, a Config.Reader provider, the deprecated
  # config/releases.exs beside runtime.exs, function steps, overlays and a
  # custom rel/env.sh.eex with EEx conditionals.
  def project do
    [
      app: :phx_like,
      version: "0.1.0",
      elixir: "~> 1.14",
      elixirc_paths: elixirc_paths(Mix.env()),
      start_permanent: Mix.env() == :prod,
      aliases: aliases(),
      deps: deps(),
      releases: releases()
    ]
  end

  def application do
    [
      mod: {PhxLike.Application, []},
      extra_applications: [:logger, :runtime_tools]
    ]
  end

  defp elixirc_paths(:test), do: ["lib", "test/support"]
  defp elixirc_paths(_), do: ["lib"]

  defp deps, do: []

  defp aliases, do: [setup: ["deps.get"]]

  defp releases do
    [
      phx_like: [
        include_executables_for: [:unix],
        # read at boot from the release root (the file comes from rel/overlays)
        config_providers: [{Config.Reader, {:system, "RELEASE_ROOT", "/extra.exs"}}],
        steps: [&check_overlays/1, :assemble, &write_revision/1]
      ]
    ]
  end

  # A step before :assemble: refuses to build without the overlay the
  # Config.Reader provider reads at boot.
  defp check_overlays(release) do
    unless File.regular?("rel/overlays/extra.exs") do
      Mix.raise("rel/overlays/extra.exs is missing: the release reads it at boot")
    end

    release
  end

  # A step after :assemble: writes REVISION into the assembled release.
  defp write_revision(release) do
    File.write!(Path.join(release.path, "REVISION"), "#{release.name}-#{release.version}\n")
    release
  end
end
