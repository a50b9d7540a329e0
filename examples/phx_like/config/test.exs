import Config

config :phx_like, PhxLike.Repo, url: "ecto://postgres:postgres@localhost/phx_like_test"

config :phx_like, PhxLike.Endpoint,
  http: [ip: {127, 0, 0, 1}, port: 4002],
  secret_key_base: "test-only-secret-key-base-test-only-secret-key-base-test-only-se"

config :logger, level: :warning
