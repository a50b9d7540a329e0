import Config

# Do not print debug messages in production
config :logger, level: :info

# Runtime production configuration, including reading of environment
# variables, is done in config/runtime.exs.
