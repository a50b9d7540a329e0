import Config

config :phx_like, PhxLike.Repo, url: "ecto://postgres:postgres@localhost/phx_like_dev"

config :phx_like, PhxLike.Endpoint,
  secret_key_base: "dev-only-secret-key-base-dev-only-secret-key-base-dev-only-secret"
