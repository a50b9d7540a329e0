defmodule KVUmbrella.MixProject do
  use Mix.Project

  # Umbrella root of the distributed key-value store example.
  #
  # Two releases slice the umbrella differently:
  #
  #   * foo - TCP front end (kv_server) plus storage (kv)
  #   * bar - storage only (kv), reachable from other nodes via KV.Router
  #
  # No :default_release is set on purpose: the release to build must be
  # named explicitly (e.g. `MIX_ENV=prod mix release foo`).
  def project do
    [
      apps_path: "apps",
      version: "0.1.0",
      start_permanent: Mix.env() == :prod,
      deps: [],
      releases: [
        foo: [
          version: "0.0.1",
          applications: [kv_server: :permanent, kv: :permanent]
        ],
        bar: [
          version: "0.0.1",
          applications: [kv: :permanent]
        ]
      ]
    ]
  end
end
