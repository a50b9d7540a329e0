#include "target.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *expand_home(char *p)
{
    if (!(p[0] == '~' && (p[1] == '/' || p[1] == '\0')))
        return p;
    struct passwd *pw = getpwuid(getuid());
    const char *home = pw && pw->pw_dir ? pw->pw_dir : (getenv("HOME") ? getenv("HOME") : "/");
    char *e = rel_asprintf("%s%s", home, p + 1);
    free(p);
    return e;
}

static char *config_path(const struct rel_config *cfg, const char *p)
{
    return p ? expand_home(rel_config_abspath(cfg, p)) : NULL;
}

/* relman.yml's host_key_policy when set; else the client configuration's
 * StrictHostKeyChecking, whose `ask` is also OpenSSH's default and so cannot
 * be told from unset: it leaves relman's default, accept-new (as does `no`:
 * new keys are added, changed ones still refused). */
static enum rel_ssh_policy policy_of(const struct rel_config_ssh *cs,
                                     const struct rel_ssh_endpoint *ep)
{
    if (!cs->host_key_policy_set)
        return ep->strict == REL_SSHCONFIG_STRICT_YES ? REL_SSH_POLICY_STRICT
                                                      : REL_SSH_POLICY_ACCEPT_NEW;
    switch (cs->host_key_policy) {
    case REL_HOSTKEY_STRICT: return REL_SSH_POLICY_STRICT;
    case REL_HOSTKEY_ASK: return REL_SSH_POLICY_ASK;
    default: return REL_SSH_POLICY_ACCEPT_NEW;
    }
}

int rel_target_from_config(struct rel_remote_target *out, const struct rel_config *cfg,
                           const struct rel_config_target *t, const char *ssh_config,
                           const char *release)
{
    memset(out, 0, sizeof(*out));
    const char *rel = release ? release : t->release ? t->release : cfg->default_release;
    if (!rel && cfg->nreleases == 1)
        rel = cfg->releases[0].name;
    if (!rel)
        return rel_error_set(REL_ECONFIG,
                             "%s:%d:%d: target %s: which release runs there? set its `release:` "
                             "(or `default_release:`)",
                             cfg->file, t->pos.line, t->pos.col, t->name);
    if (!t->path || t->path[0] != '/')
        return rel_error_set(REL_ECONFIG, "%s:%d:%d: target %s: `path` must be absolute",
                             cfg->file, t->pos.line, t->pos.col, t->name);
    char *cfgfile = ssh_config ? expand_home(rel_strdup(ssh_config))
                               : config_path(cfg, t->ssh.config);
    char *kh = config_path(cfg, t->ssh.known_hosts);
    /* A file relman.yml names may come from anyone's repository: it may
     * not run commands unless relman.yml says so; --ssh-config is the user's. */
    struct rel_sshconfig_query q = {.host = t->host, .user = t->user, .port = t->port,
                                    .config_file = cfgfile, .known_hosts = kh,
                                    .refuse_exec = !ssh_config && t->ssh.config &&
                                                   !t->ssh.allow_match_exec};
    int rc = rel_sshconfig_resolve(&out->ep, &q);
    free(cfgfile);
    free(kh);
    if (rc < 0) {
        rel_error_prefix("target %s", t->name);
        return rc;
    }
    out->name = rel_strdup(t->name);
    out->policy = policy_of(&t->ssh, &out->ep);
    out->path = rel_strdup(t->path);
    size_t n = strlen(out->path);
    while (n > 1 && out->path[n - 1] == '/')
        out->path[--n] = '\0';
    out->release = rel_strdup(rel);
    out->env = rel_calloc(t->nenv + 1, sizeof(char *));
    for (size_t i = 0; i < t->nenv; i++)
        out->env[i] = rel_asprintf("%s=%s", t->env_names[i], t->env_values[i]);
    out->health_set = true;
    out->health = t->health;
    out->health.rpc = t->health.rpc ? rel_strdup(t->health.rpc) : NULL;
    out->health.http_path = t->health.http_path ? rel_strdup(t->health.http_path) : NULL;
    out->health.http_body = t->health.http_body ? rel_strdup(t->health.http_body) : NULL;
    return 0;
}

void rel_target_free(struct rel_remote_target *t)
{
    if (!t)
        return;
    free(t->name);
    rel_sshconfig_free(&t->ep);
    free(t->path);
    free(t->release);
    if (t->env)
        for (size_t i = 0; t->env[i]; i++)
            free(t->env[i]);
    free(t->env);
    free(t->health.rpc);
    free(t->health.http_path);
    free(t->health.http_body);
    memset(t, 0, sizeof(*t));
}

void rel_targets_free(struct rel_remote_target *targets, size_t count)
{
    if (!targets)
        return;
    for (size_t i = 0; i < count; i++)
        rel_target_free(&targets[i]);
    free(targets);
}

const char *rel_target_getenv(const struct rel_remote_target *t, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; t->env && t->env[i]; i++)
        if (strncmp(t->env[i], name, n) == 0 && t->env[i][n] == '=')
            return t->env[i] + n + 1;
    return NULL;
}

static int unknown_name(const struct rel_config *cfg, const char *name)
{
    struct rel_buf known = REL_BUF_INIT;
    for (size_t i = 0; i < cfg->ntargets; i++)
        rel_buf_printf(&known, "%s%s", known.len ? ", " : "", cfg->targets[i].name);
    for (size_t i = 0; i < cfg->ngroups; i++)
        rel_buf_printf(&known, "%s%s (group)", known.len ? ", " : "", cfg->groups[i].name);
    int rc = rel_error_set(REL_ENOTFOUND, "%s: no target or group '%s' (known: %s)", cfg->file,
                           name, known.len ? rel_buf_cstr(&known) : "none; add `targets:`");
    rel_buf_free(&known);
    return rc;
}

int rel_targets_resolve(struct rel_remote_target **out, size_t *count,
                        const struct rel_config *cfg, const char *const *names, size_t nnames,
                        const char *ssh_config, const char *release)
{
    *out = NULL;
    *count = 0;
    const struct rel_config_target **picked = rel_calloc(cfg->ntargets + 1, sizeof(*picked));
    size_t npicked = 0;
    int rc = 0;
    for (size_t i = 0; i < nnames && rc == 0; i++) {
        const struct rel_config_target *t = rel_config_find_target(cfg, names[i]);
        const struct rel_config_group *g = t ? NULL : rel_config_find_group(cfg, names[i]);
        if (!t && !g) {
            rc = unknown_name(cfg, names[i]);
            break;
        }
        size_t n = t ? 1 : g->targets.count;
        for (size_t k = 0; k < n; k++) {
            const struct rel_config_target *one =
                t ? t : rel_config_find_target(cfg, g->targets.items[k]);
            bool seen = false;
            for (size_t j = 0; j < npicked; j++)
                seen = seen || picked[j] == one;
            if (one && !seen)
                picked[npicked++] = one;
        }
    }
    struct rel_remote_target *targets = rel_calloc(npicked ? npicked : 1, sizeof(*targets));
    size_t done = 0;
    for (; rc == 0 && done < npicked; done++)
        rc = rel_target_from_config(&targets[done], cfg, picked[done], ssh_config, release);
    free(picked);
    if (rc < 0) {
        rel_targets_free(targets, done);
        return rc;
    }
    *out = targets;
    *count = npicked;
    return 0;
}

int rel_target_session_new(struct rel_ssh_session **out, const struct rel_remote_target *t,
                           const struct rel_ssh_prompt_ops *prompts, void *prompt_ctx,
                           const struct rel_remote_events *events, int connect_timeout)
{
    struct rel_ssh_opts so;
    rel_ssh_opts_init(&so);
    so.label = t->name;
    so.policy = t->policy;
    so.prompts = prompts;
    so.prompt_ctx = prompt_ctx;
    so.events = events;
    so.connect_timeout = connect_timeout;
    return rel_ssh_session_new(out, &t->ep, &so);
}
