# Read at boot by the Config.Reader provider of mix.exs
# ({:system, "RELEASE_ROOT", "/extra.exs"}); copied by the overlays.
import Config

config :phx_like, :greeting, "hello from extra.exs"
