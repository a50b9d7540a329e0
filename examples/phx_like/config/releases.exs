# The deprecated runtime configuration file of Elixir < 1.11. Since
# config/runtime.exs exists, mix (and relman) use that one and only warn
# about this file; it is kept to show that it is never shipped nor run.
import Config

config :phx_like, :greeting, "from the deprecated releases.exs (never used)"
