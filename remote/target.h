/*
 * target.h - a deploy target ready to connect to: relman.yml's target with
 * its ssh endpoint resolved the way OpenSSH would (ssh -G), its host key
 * policy, deploy root, release name and environment.
 */
#ifndef REL_TARGET_H
#define REL_TARGET_H

#include "core/config.h"
#include "remote/ssh.h"
#include "remote/sshconfig.h"

#include <stddef.h>

struct rel_config;
struct rel_config_target;
struct rel_remote_events;

struct rel_remote_target {
    char *name;                  /* as in relman.yml */
    struct rel_ssh_endpoint ep;  /* resolved */
    enum rel_ssh_policy policy;  /* host key policy */
    char *path;                  /* deploy root on the host (absolute) */
    char *release;               /* release name: runs PATH/current/bin/RELEASE */
    char **env;                  /* "NAME=value" for the node's commands, NULL-terminated */
    /* The health check (targets.NAME.health over deploy.health), when built
     * from relman.yml (health_set); otherwise the operations' own
     * tcp/timeout options alone apply (remote/health.h). */
    bool health_set;
    struct rel_config_health health;
};

/*
 * Build `out` for target `t` of `cfg`. `ssh_config` (--ssh-config) replaces
 * the configured ssh client configuration file when not NULL. `release`
 * replaces the target's release when not NULL. Relative paths in relman.yml
 * are relative to its directory; "~/" means the home directory from the
 * password database, as for OpenSSH. Errors: REL_ECONFIG (no release known,
 * a relative deploy path), and those of rel_sshconfig_resolve().
 */
int rel_target_from_config(struct rel_remote_target *out, const struct rel_config *cfg,
                           const struct rel_config_target *t, const char *ssh_config,
                           const char *release);

/*
 * Expand target and group names (in order, each target once) into
 * rel_target_from_config() results. *out is an array of *count targets; free
 * with rel_targets_free(). An unknown name is REL_ENOTFOUND naming it and the
 * known targets and groups.
 */
int rel_targets_resolve(struct rel_remote_target **out, size_t *count,
                        const struct rel_config *cfg, const char *const *names, size_t nnames,
                        const char *ssh_config, const char *release);

void rel_target_free(struct rel_remote_target *t);
void rel_targets_free(struct rel_remote_target *targets, size_t count);

/*
 * A new SSH session to `t` (its endpoint, host key policy and name), with
 * these prompts (may be NULL) and events (may be NULL); nothing happens
 * until it is stepped (or driven: rel_ssh_drive()). connect_timeout 0: the
 * default.
 */
int rel_target_session_new(struct rel_ssh_session **out, const struct rel_remote_target *t,
                           const struct rel_ssh_prompt_ops *prompts, void *prompt_ctx,
                           const struct rel_remote_events *events, int connect_timeout);

/* The value of NAME in the target's env, or NULL. */
const char *rel_target_getenv(const struct rel_remote_target *t, const char *name);

#endif
