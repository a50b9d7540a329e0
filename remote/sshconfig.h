/*
 * sshconfig.h - where to connect, the way OpenSSH would.
 *
 * libssh2 does not read the OpenSSH client configuration, and parsing it
 * (Match, Include, wildcards, tokens) is OpenSSH's job, so relman asks the
 * installed client: `ssh -G [-F FILE] [-l USER] [-p PORT] HOST` prints the
 * effective settings for HOST, and we keep the few we use. When `ssh` is not
 * installed the endpoint is built from HOST, USER and PORT with OpenSSH's
 * defaults.
 *
 * A user or port given by relman (relman.yml `user:`/`port:`) wins over the
 * configuration file, as -l/-p do for ssh. Home-relative paths (~/, %d) are
 * expanded with the home directory from the password database, as OpenSSH
 * does (not $HOME): tests and CI therefore pass their own file with
 * `ssh.config` / --ssh-config.
 */
#ifndef REL_SSHCONFIG_H
#define REL_SSHCONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Caps on what we accept from `ssh -G` (bounded like any outside input). */
#define REL_SSHCONFIG_MAX_OUTPUT (256 * 1024)
#define REL_SSHCONFIG_MAX_IDENTITIES 16
#define REL_SSHCONFIG_MAX_JUMPS 8

/* StrictHostKeyChecking as `ssh -G` prints it ("ask" is also its default). */
enum rel_sshconfig_strict {
    REL_SSHCONFIG_STRICT_ASK,
    REL_SSHCONFIG_STRICT_YES,
    REL_SSHCONFIG_STRICT_ACCEPT_NEW,
    REL_SSHCONFIG_STRICT_NO,
};

struct rel_ssh_endpoint {
    char *alias;           /* the name given (target `host:`) */
    char *hostname;        /* what to connect to */
    char *user;            /* remote user */
    int port;              /* TCP port */
    char **identity_files; /* NULL-terminated, expanded; may name missing files */
    char *known_hosts;     /* first UserKnownHostsFile, expanded: where new keys go */
    char **user_known_hosts;   /* every UserKnownHostsFile (NULL-terminated, expanded;
                                  the first is known_hosts) */
    char **global_known_hosts; /* every GlobalKnownHostsFile (NULL-terminated, expanded) */
    char *host_key_alias;      /* HostKeyAlias, or NULL */
    bool hash_known_hosts;     /* HashKnownHosts: write hashed names */
    enum rel_sshconfig_strict strict; /* StrictHostKeyChecking */
    bool identities_only;  /* IdentitiesOnly: only agent keys matching identity_files */
    int connect_timeout;   /* seconds (ConnectTimeout), 0 for relman's default */
    char *proxy_jump;      /* ProxyJump as written ("none": NULL) */
    char *proxy_command;   /* ProxyCommand, tokens not yet expanded (NULL: none);
                              ignored when proxy_jump is set, as OpenSSH does */
    /* ProxyJump's hops, resolved like any host (their own proxies ignored),
     * in the order they are connected: jumps[0] is reached directly. */
    struct rel_ssh_endpoint *jumps;
    size_t njumps;
    int server_alive_interval; /* ServerAliveInterval seconds (0: off) */
    int server_alive_count;    /* ServerAliveCountMax */
};

struct rel_sshconfig_query {
    const char *host;        /* host name or alias (required) */
    const char *user;        /* overrides the config's User, or NULL */
    int port;                /* overrides the config's Port, or 0 */
    const char *config_file; /* -F FILE, or NULL for the user's ~/.ssh/config */
    const char *known_hosts; /* replaces the UserKnownHostsFile list, or NULL */
    bool hop;                /* a ProxyJump hop: its own ProxyJump/ProxyCommand ignored */
    bool refuse_exec;        /* config_file came from relman.yml: refuse it (REL_ECONFIG,
                                file:line named) when it or a file it Includes has a
                                `Match exec` (ssh -G would run it) or a ProxyCommand */
};

/*
 * Resolve `q` into `*out` (zeroed first; free with rel_sshconfig_free).
 * Fails with REL_ENOTFOUND when config_file does not exist, REL_ECONFIG when
 * ssh rejects the configuration (its message is quoted) or a ProxyJump hop
 * cannot be read, REL_ELIMIT on oversized output. ProxyJump's hops are
 * resolved here too (`ssh -G` for each, with the same file and known_hosts).
 */
int rel_sshconfig_resolve(struct rel_ssh_endpoint *out, const struct rel_sshconfig_query *q);

/*
 * The parsing half of rel_sshconfig_resolve: fill `*out` from the text of
 * `ssh -G` (lowercase "key value" lines). Unknown keys are ignored. `home`
 * and `local_user` expand ~, %d and %u. Exposed for tests.
 */
int rel_sshconfig_parse(struct rel_ssh_endpoint *out, const char *alias, const char *text,
                        const char *home, const char *local_user);

/* Expand a leading "~/" and the tokens %d %u %h %r %p %% in `path`. */
char *rel_sshconfig_expand(const char *path, const char *home, const char *local_user,
                           const struct rel_ssh_endpoint *ep);

/*
 * The `index`th hop of a ProxyJump value ("[user@]host[:port]" or
 * "ssh://[user@]host[:port]", comma-separated, "[v6addr]:port" allowed):
 * 1 and *user (or NULL), *host and *port (0: unset) set, the strings
 * malloc'd; 0 past the last hop; REL_ECONFIG for a malformed one.
 */
int rel_sshconfig_jump_hop(const char *spec, size_t index, char **user, char **host, int *port);

/* The endpoint of a session's last hop: a copy of ep->jumps[njumps - 1]
 * whose own jumps are the hops before it. */
void rel_sshconfig_last_hop(struct rel_ssh_endpoint *dst, const struct rel_ssh_endpoint *ep);

/* Deep copy (for callers that keep an endpoint beyond its source). */
void rel_sshconfig_copy(struct rel_ssh_endpoint *dst, const struct rel_ssh_endpoint *src);

/* Release what `ep` owns and zero it; accepts a zeroed endpoint. */
void rel_sshconfig_free(struct rel_ssh_endpoint *ep);

#endif
