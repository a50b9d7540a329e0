import Config

# Keep test output quiet; warnings and errors still show up.
config :logger, level: :warning
