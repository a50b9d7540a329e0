import Config

# config/runtime.exs is executed for all environments, including during
# releases. It is executed after compilation and before the system starts,
# so it is typically used to load production configuration and secrets from
# environment variables or elsewhere. It never runs when the release is
# built.

if config_env() == :prod do
  database_url =
    System.get_env("DATABASE_URL") ||
      raise """
      environment variable DATABASE_URL is missing.
      For example: ecto://USER:PASS@HOST/DATABASE
      """

  config :phx_like, PhxLike.Repo, url: database_url

  secret_key_base =
    System.get_env("SECRET_KEY_BASE") ||
      raise """
      environment variable SECRET_KEY_BASE is missing.
      You can generate one by calling: mix phx.gen.secret
      """

  port = String.to_integer(System.get_env("PORT") || "4000")

  config :phx_like, PhxLike.Endpoint,
    http: [ip: {127, 0, 0, 1}, port: port],
    secret_key_base: secret_key_base
end
