# General application configuration, evaluated when the release is built.
import Config

config :phx_like, PhxLike.Endpoint, http: [ip: {127, 0, 0, 1}, port: 4000]

config :logger, :console,
  format: "$time $metadata[$level] $message\n",
  metadata: [:request_id]

# Import environment specific config. This must remain at the bottom.
import_config "#{config_env()}.exs"
