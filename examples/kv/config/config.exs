# Build-time configuration, evaluated by every Mix command (compile, test,
# release assembly). Keep it free of anything machine- or node-specific:
# whatever is computed here gets baked into the release.
import Config

# The real routing table depends on the node name, which only exists once
# the VM is running, so config/runtime.exs fills it in at boot.
config :kv, :routing_table, []

config :logger, level: :info

# Per-environment overrides are optional.
if File.exists?(Path.join(__DIR__, "#{config_env()}.exs")) do
  import_config "#{config_env()}.exs"
end
