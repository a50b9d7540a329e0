#include "sshconfig.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/proc.h"

#include <ctype.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const default_identities[] = {"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa",
                                                 "~/.ssh/id_rsa", NULL};
/* OpenSSH's defaults, as `ssh -G` prints them. */
#define DEFAULT_USER_KNOWN_HOSTS "~/.ssh/known_hosts ~/.ssh/known_hosts2"
#define DEFAULT_GLOBAL_KNOWN_HOSTS "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2"
#define MAX_KNOWN_HOSTS_FILES 16

static void strv_free(char **v)
{
    if (v)
        for (size_t i = 0; v[i]; i++)
            free(v[i]);
    free(v);
}

static char **strv_copy(char *const *v)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    char **c = rel_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        c[i] = rel_strdup(v[i]);
    return c;
}

void rel_sshconfig_free(struct rel_ssh_endpoint *ep)
{
    if (!ep)
        return;
    free(ep->alias);
    free(ep->hostname);
    free(ep->user);
    strv_free(ep->identity_files);
    free(ep->known_hosts);
    strv_free(ep->user_known_hosts);
    strv_free(ep->global_known_hosts);
    free(ep->host_key_alias);
    free(ep->proxy_jump);
    free(ep->proxy_command);
    for (size_t i = 0; i < ep->njumps; i++)
        rel_sshconfig_free(&ep->jumps[i]);
    free(ep->jumps);
    memset(ep, 0, sizeof(*ep));
}

static char *dup_or_null(const char *s)
{
    return s ? rel_strdup(s) : NULL;
}

static void copy_jumps(struct rel_ssh_endpoint *dst, const struct rel_ssh_endpoint *jumps, size_t n)
{
    dst->jumps = n ? rel_calloc(n, sizeof(*dst->jumps)) : NULL;
    dst->njumps = n;
    for (size_t i = 0; i < n; i++)
        rel_sshconfig_copy(&dst->jumps[i], &jumps[i]);
}

void rel_sshconfig_last_hop(struct rel_ssh_endpoint *dst, const struct rel_ssh_endpoint *ep)
{
    const struct rel_ssh_endpoint *last = &ep->jumps[ep->njumps - 1];
    struct rel_ssh_endpoint tmp = *last;
    tmp.jumps = NULL;
    tmp.njumps = 0;
    rel_sshconfig_copy(dst, &tmp);
    copy_jumps(dst, ep->jumps, ep->njumps - 1);
}

void rel_sshconfig_copy(struct rel_ssh_endpoint *dst, const struct rel_ssh_endpoint *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->alias = dup_or_null(src->alias);
    dst->hostname = dup_or_null(src->hostname);
    dst->user = dup_or_null(src->user);
    dst->port = src->port;
    dst->identity_files = strv_copy(src->identity_files);
    dst->known_hosts = dup_or_null(src->known_hosts);
    dst->user_known_hosts = strv_copy(src->user_known_hosts);
    dst->global_known_hosts = strv_copy(src->global_known_hosts);
    dst->host_key_alias = dup_or_null(src->host_key_alias);
    dst->hash_known_hosts = src->hash_known_hosts;
    dst->strict = src->strict;
    dst->proxy_jump = dup_or_null(src->proxy_jump);
    dst->proxy_command = dup_or_null(src->proxy_command);
    dst->server_alive_interval = src->server_alive_interval;
    dst->server_alive_count = src->server_alive_count;
    copy_jumps(dst, src->jumps, src->njumps);
    dst->identities_only = src->identities_only;
    dst->connect_timeout = src->connect_timeout;
}

char *rel_sshconfig_expand(const char *path, const char *home, const char *local_user,
                           const struct rel_ssh_endpoint *ep)
{
    struct rel_buf b = REL_BUF_INIT;
    const char *p = path;
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        rel_buf_puts(&b, home);
        p++;
    }
    for (; *p; p++) {
        if (*p != '%' || !p[1]) {
            rel_buf_putc(&b, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'd': rel_buf_puts(&b, home); break;
        case 'u': rel_buf_puts(&b, local_user); break;
        case 'h': rel_buf_puts(&b, ep && ep->hostname ? ep->hostname : ""); break;
        case 'r': rel_buf_puts(&b, ep && ep->user ? ep->user : ""); break;
        case 'p': rel_buf_printf(&b, "%d", ep ? ep->port : 22); break;
        case 'n': rel_buf_puts(&b, ep && ep->alias ? ep->alias : ""); break;
        case 'i': rel_buf_printf(&b, "%u", (unsigned)getuid()); break;
        case 'l': {
            char hn[256] = "";
            gethostname(hn, sizeof(hn) - 1);
            rel_buf_puts(&b, hn);
            break;
        }
        case '%': rel_buf_putc(&b, '%'); break;
        default:
            rel_buf_putc(&b, '%');
            rel_buf_putc(&b, *p);
        }
    }
    return rel_buf_detach(&b);
}

static void push_identity(struct rel_ssh_endpoint *ep, size_t *n, char *path)
{
    if (*n >= REL_SSHCONFIG_MAX_IDENTITIES) {
        free(path);
        return;
    }
    ep->identity_files = rel_reallocarray(ep->identity_files, *n + 2, sizeof(char *));
    ep->identity_files[(*n)++] = path;
    ep->identity_files[*n] = NULL;
}

static enum rel_sshconfig_strict strict_of(const char *val)
{
    if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0)
        return REL_SSHCONFIG_STRICT_YES;
    if (strcmp(val, "accept-new") == 0)
        return REL_SSHCONFIG_STRICT_ACCEPT_NEW;
    if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0 || strcmp(val, "off") == 0)
        return REL_SSHCONFIG_STRICT_NO;
    return REL_SSHCONFIG_STRICT_ASK;
}

/* A space-separated list of files ("none" is none), each expanded. */
static char **expand_list(const char *val, const char *home, const char *local_user,
                          const struct rel_ssh_endpoint *ep)
{
    char **v = rel_calloc(MAX_KNOWN_HOSTS_FILES + 1, sizeof(char *));
    size_t n = 0;
    for (const char *p = val; *p && n < MAX_KNOWN_HOSTS_FILES;) {
        size_t len = strcspn(p, " ");
        if (len && !(len == 4 && strncmp(p, "none", 4) == 0)) {
            char *raw = rel_strndup(p, len);
            v[n++] = rel_sshconfig_expand(raw, home, local_user, ep);
            free(raw);
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    return v;
}

int rel_sshconfig_parse(struct rel_ssh_endpoint *out, const char *alias, const char *text,
                        const char *home, const char *local_user)
{
    memset(out, 0, sizeof(*out));
    out->alias = rel_strdup(alias);
    out->port = 22;
    out->server_alive_count = 3;
    char **raw_ids = NULL;
    size_t n_raw = 0;
    int rc = 0;
    char *user_kh = NULL, *global_kh = NULL;
    char *copy = rel_strdup(text);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        const char *key = line, *val = sp + 1;
        size_t vlen = strlen(val);
        while (vlen > 0 && (val[vlen - 1] == '\r' || val[vlen - 1] == ' '))
            ((char *)val)[--vlen] = '\0';
        if (strcmp(key, "hostname") == 0) {
            free(out->hostname);
            out->hostname = rel_strdup(val);
        } else if (strcmp(key, "user") == 0) {
            free(out->user);
            out->user = rel_strdup(val);
        } else if (strcmp(key, "port") == 0) {
            char *end;
            long port = strtol(val, &end, 10);
            if (*end || port < 1 || port > 65535) {
                rc = rel_error_set(REL_ECONFIG, "%s: invalid port '%s' in the ssh configuration",
                                   alias, val);
                goto cleanup;
            }
            out->port = (int)port;
        } else if (strcmp(key, "identityfile") == 0) {
            if (n_raw < REL_SSHCONFIG_MAX_IDENTITIES) {
                raw_ids = rel_reallocarray(raw_ids, n_raw + 1, sizeof(char *));
                raw_ids[n_raw++] = rel_strdup(val);
            }
        } else if (strcmp(key, "userknownhostsfile") == 0) {
            free(user_kh);
            user_kh = rel_strdup(val);
        } else if (strcmp(key, "globalknownhostsfile") == 0) {
            free(global_kh);
            global_kh = rel_strdup(val);
        } else if (strcmp(key, "hostkeyalias") == 0) {
            free(out->host_key_alias);
            out->host_key_alias = strcmp(val, "none") == 0 ? NULL : rel_strdup(val);
        } else if (strcmp(key, "hashknownhosts") == 0) {
            out->hash_known_hosts = strcmp(val, "yes") == 0 || strcmp(val, "true") == 0;
        } else if (strcmp(key, "stricthostkeychecking") == 0) {
            out->strict = strict_of(val);
        } else if (strcmp(key, "identitiesonly") == 0) {
            out->identities_only = strcmp(val, "yes") == 0 || strcmp(val, "true") == 0;
        } else if (strcmp(key, "connecttimeout") == 0) {
            out->connect_timeout = strcmp(val, "none") == 0 ? 0 : atoi(val);
        } else if (strcmp(key, "proxyjump") == 0) {
            free(out->proxy_jump);
            out->proxy_jump = strcmp(val, "none") == 0 ? NULL : rel_strdup(val);
        } else if (strcmp(key, "proxycommand") == 0) {
            free(out->proxy_command);
            out->proxy_command = strcmp(val, "none") == 0 ? NULL : rel_strdup(val);
        } else if (strcmp(key, "serveraliveinterval") == 0) {
            out->server_alive_interval = atoi(val) > 0 ? atoi(val) : 0;
        } else if (strcmp(key, "serveralivecountmax") == 0) {
            out->server_alive_count = atoi(val) > 0 ? atoi(val) : 0;
        }
    }
    if (!out->hostname)
        out->hostname = rel_strdup(alias);
    if (!out->user)
        out->user = rel_strdup(local_user);
    /* Expand after the whole text is read: %h and %r need hostname and user. */
    size_t n = 0;
    if (n_raw == 0) {
        for (size_t i = 0; default_identities[i]; i++)
            push_identity(out, &n, rel_sshconfig_expand(default_identities[i], home, local_user, out));
    }
    for (size_t i = 0; i < n_raw; i++)
        push_identity(out, &n, rel_sshconfig_expand(raw_ids[i], home, local_user, out));
    if (!out->identity_files)
        out->identity_files = rel_calloc(1, sizeof(char *));
    out->user_known_hosts =
        expand_list(user_kh ? user_kh : DEFAULT_USER_KNOWN_HOSTS, home, local_user, out);
    out->global_known_hosts =
        expand_list(global_kh ? global_kh : DEFAULT_GLOBAL_KNOWN_HOSTS, home, local_user, out);
    out->known_hosts = rel_strdup(out->user_known_hosts[0] ? out->user_known_hosts[0]
                                                           : "/dev/null");
cleanup:
    free(user_kh);
    free(global_kh);
    for (size_t i = 0; i < n_raw; i++)
        free(raw_ids[i]);
    free(raw_ids);
    free(copy);
    if (rc < 0)
        rel_sshconfig_free(out);
    return rc;
}

static void local_identity(const char **home, const char **user)
{
    struct passwd *pw = getpwuid(getuid());
    *home = pw && pw->pw_dir ? pw->pw_dir : (getenv("HOME") ? getenv("HOME") : "/");
    *user = pw && pw->pw_name ? pw->pw_name : (getenv("USER") ? getenv("USER") : "root");
}

static int valid_host(const char *h)
{
    if (!h[0] || h[0] == '-')
        return 0;
    for (const char *p = h; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

int rel_sshconfig_jump_hop(const char *spec, size_t index, char **user, char **host, int *port)
{
    *user = *host = NULL;
    *port = 0;
    const char *p = spec;
    for (size_t i = 0; i < index; i++) {
        p = strchr(p, ',');
        if (!p)
            return 0;
        p++;
    }
    size_t len = strcspn(p, ",");
    while (len && *p == ' ')
        p++, len--;
    while (len && p[len - 1] == ' ')
        len--;
    char *hop = rel_strndup(p, len), *h = hop;
    int rc = 1;
    if (strncmp(h, "ssh://", 6) == 0)
        h += 6;
    char *at = strrchr(h, '@');
    if (at) {
        *at = '\0';
        *user = rel_strdup(h);
        h = at + 1;
    }
    char *colon = NULL;
    if (*h == '[') {
        char *close = strchr(h, ']');
        if (!close || (close[1] && close[1] != ':'))
            goto bad;
        *close = '\0';
        colon = close[1] ? close + 1 : NULL;
        h++;
    } else if ((colon = strchr(h, ':')) && strchr(colon + 1, ':')) {
        colon = NULL; /* an IPv6 address without a port */
    }
    if (colon) {
        *colon = '\0';
        char *end;
        long n = strtol(colon + 1, &end, 10);
        if (*end || n < 1 || n > 65535)
            goto bad;
        *port = (int)n;
    }
    if (!*h || (*user && !**user))
        goto bad;
    *host = rel_strdup(h);
    free(hop);
    return rc;
bad:
    rc = rel_error_set(REL_ECONFIG, "ProxyJump hop %zu '%.*s' is not [user@]host[:port]",
                       index + 1, (int)len, p);
    free(*user);
    *user = NULL;
    free(hop);
    return rc;
}

/* ---- configuration files that would run commands -------------------------- */

#define EXEC_SCAN_DEPTH 8
#define EXEC_HINT                                                                                  \
    "relman runs commands only from your own ssh configuration (set "                             \
    "`ssh.allow_match_exec: true` in relman.yml to allow them, or pass the file with "            \
    "--ssh-config)"

/* Next word of *p's line (whitespace-separated, "quotes" removed) into buf,
 * lower-cased when `lower`; false at the end of the line or a comment. */
static bool next_word(const char **p, char *buf, size_t size, bool lower)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '=')
        s++;
    if (!*s || *s == '\n' || *s == '#')
        return false;
    size_t n = 0;
    bool quoted = false;
    for (; *s && *s != '\n' && (quoted || (*s != ' ' && *s != '\t')); s++) {
        if (*s == '"') {
            quoted = !quoted;
            continue;
        }
        if (n + 1 < size)
            buf[n++] = lower ? (char)tolower((unsigned char)*s) : *s;
    }
    buf[n] = '\0';
    *p = s;
    return true;
}

static int scan_exec(const char *file, const char *home, int depth);

static int scan_include(const char *file, int line, const char *arg, const char *home, int depth)
{
    char *pat = arg[0] == '/' ? rel_strdup(arg)
                : arg[0] == '~' && arg[1] == '/' ? rel_asprintf("%s%s", home, arg + 1)
                                                 : rel_asprintf("%s/.ssh/%s", home, arg);
    glob_t g;
    int rc = 0;
    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
            rc = scan_exec(g.gl_pathv[i], home, depth + 1);
        globfree(&g);
    }
    if (rc < 0)
        rel_error_prefix("%s:%d: Include %s", file, line, arg);
    free(pat);
    return rc;
}

static int scan_exec(const char *file, const char *home, int depth)
{
    if (depth > EXEC_SCAN_DEPTH)
        return rel_error_set(REL_ELIMIT, "%s: Include nested deeper than %d", file,
                             EXEC_SCAN_DEPTH);
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_fs_read_file(&text, file, REL_SSHCONFIG_MAX_OUTPUT);
    if (rc == REL_ENOTFOUND) {
        rel_error_clear();
        rc = 0;
    }
    const char *hint = EXEC_HINT;
    const char *p = text.ptr;
    for (int line = 1; rc == 0 && p && *p; line++) {
        const char *q = p;
        char kw[32], w[64];
        if (next_word(&q, kw, sizeof(kw), true)) {
            if (strcmp(kw, "match") == 0) {
                while (rc == 0 && next_word(&q, w, sizeof(w), true))
                    if (strcmp(w, "exec") == 0 || strcmp(w, "!exec") == 0)
                        rc = rel_error_set(REL_ECONFIG,
                                           "%s:%d: `Match exec` runs a command whenever relman "
                                           "reads this file, which relman.yml names; %s",
                                           file, line, hint);
            } else if (strcmp(kw, "include") == 0) {
                char arg[1024];
                while (rc == 0 && next_word(&q, arg, sizeof(arg), false))
                    rc = scan_include(file, line, arg, home, depth);
            }
        }
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    rel_buf_free(&text);
    return rc;
}

/* Resolve ProxyJump's hops into out->jumps, each with the same file. */
static int resolve_jumps(struct rel_ssh_endpoint *out, const struct rel_sshconfig_query *q)
{
    for (size_t i = 0;; i++) {
        char *user, *host;
        int port;
        int r = rel_sshconfig_jump_hop(out->proxy_jump, i, &user, &host, &port);
        if (r <= 0)
            return r;
        if (i >= REL_SSHCONFIG_MAX_JUMPS) {
            free(user);
            free(host);
            return rel_error_set(REL_ELIMIT, "%s: more than %d ProxyJump hops", out->alias,
                                 REL_SSHCONFIG_MAX_JUMPS);
        }
        struct rel_sshconfig_query hq = {.host = host, .user = user, .port = port,
                                         .config_file = q->config_file,
                                         .known_hosts = q->known_hosts, .hop = true,
                                         .refuse_exec = q->refuse_exec};
        out->jumps = rel_reallocarray(out->jumps, i + 1, sizeof(*out->jumps));
        r = rel_sshconfig_resolve(&out->jumps[i], &hq);
        free(user);
        free(host);
        if (r < 0) {
            rel_error_prefix("%s: ProxyJump hop %zu", out->alias, i + 1);
            return r;
        }
        out->njumps = i + 1;
    }
}

int rel_sshconfig_resolve(struct rel_ssh_endpoint *out, const struct rel_sshconfig_query *q)
{
    memset(out, 0, sizeof(*out));
    const char *home, *local_user;
    local_identity(&home, &local_user);
    if (!q->host || !valid_host(q->host))
        return rel_error_set(REL_ECONFIG, "invalid host name '%s'", q->host ? q->host : "");
    if (q->config_file && !rel_fs_is_file(q->config_file))
        return rel_error_set(REL_ENOTFOUND, "ssh configuration file %s not found", q->config_file);
    if (q->config_file && q->refuse_exec && !q->hop) {
        int rc = scan_exec(q->config_file, home, 0);
        if (rc < 0)
            return rc;
    }

    struct rel_buf text = REL_BUF_INIT, err = REL_BUF_INIT;
    char portbuf[16];
    const char *argv[12];
    int argc = 0, rc = 0;
    argv[argc++] = "ssh";
    argv[argc++] = "-G";
    if (q->config_file) {
        argv[argc++] = "-F";
        argv[argc++] = q->config_file;
    }
    if (q->user) {
        argv[argc++] = "-l";
        argv[argc++] = q->user;
    }
    if (q->port > 0) {
        snprintf(portbuf, sizeof(portbuf), "%d", q->port);
        argv[argc++] = "-p";
        argv[argc++] = portbuf;
    }
    argv[argc++] = "--";
    argv[argc++] = q->host;
    argv[argc] = NULL;

    if (!rel_proc_which(NULL, "ssh")) {
        /* No OpenSSH client: OpenSSH's defaults, no configuration file. */
        rc = rel_sshconfig_parse(out, q->host, "", home, local_user);
    } else {
        int status;
        struct rel_proc_opts opts = {.out = &text, .err = &err, .max_output = REL_SSHCONFIG_MAX_OUTPUT};
        rc = rel_proc_run(&status, argv, &opts);
        if (rc == 0 && status != 0) {
            const char *msg = rel_buf_cstr(&err);
            size_t len = strcspn(msg, "\n");
            rc = rel_error_set(REL_ECONFIG, "%s: ssh -G failed: %.*s", q->host, (int)len,
                               len ? msg : "no message");
        }
        if (rc == 0)
            rc = rel_sshconfig_parse(out, q->host, rel_buf_cstr(&text), home, local_user);
    }
    if (rc == 0) {
        if (q->user) {
            free(out->user);
            out->user = rel_strdup(q->user);
        }
        if (q->port > 0)
            out->port = q->port;
        if (q->known_hosts) {
            free(out->known_hosts);
            out->known_hosts = rel_sshconfig_expand(q->known_hosts, home, local_user, out);
            strv_free(out->user_known_hosts);
            out->user_known_hosts = rel_calloc(2, sizeof(char *));
            out->user_known_hosts[0] = rel_strdup(out->known_hosts);
        }
        if (!q->hop && !out->proxy_jump && out->proxy_command && q->refuse_exec)
            rc = rel_error_set(REL_ECONFIG,
                               "%s: %s sets ProxyCommand (%s), a command, and relman.yml names "
                               "that file; %s",
                               q->host, q->config_file, out->proxy_command, EXEC_HINT);
        else if (q->hop) {
            free(out->proxy_jump);
            free(out->proxy_command);
            out->proxy_jump = out->proxy_command = NULL;
        } else if (out->proxy_jump) {
            rc = resolve_jumps(out, q);
        }
        if (rc < 0)
            rel_sshconfig_free(out);
    }
    rel_buf_free(&text);
    rel_buf_free(&err);
    return rc;
}
