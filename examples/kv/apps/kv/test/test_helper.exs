# Tests tagged :distributed need a second node running the :kv application
# (see the README). `mix test` is not distributed, so they are skipped unless
# requested with `--include distributed`.
ExUnit.configure(exclude: [distributed: true])
ExUnit.start()
