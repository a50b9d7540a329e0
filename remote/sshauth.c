/*
 * sshauth.c - public key authentication of a session: ssh-agent first, then
 * the identity files, asking for passphrases through the prompt ops (see
 * ssh.h, sshsession.h).
 */
#define _GNU_SOURCE
#include "sshsession.h"

#include "events.h"
#include "sshconfig.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PASSPHRASE_TRIES 3

/* ---- passphrases, asked once per key per run ----------------------------
 *
 * A fleet run connects many hosts with the same key: the passphrase given
 * for a key file is kept in memory for the rest of the process (not on disk,
 * never in an environment or an argument), tried first for that file on
 * every later session, dropped when it fails to open the key, and wiped at
 * exit or by rel_ssh_forget_passphrases(). It is remembered as soon as it is
 * given, so hosts connecting in the same moment do not ask again while the
 * first is still authenticating. Sessions may live in the TUI's threads:
 * a mutex guards the table. */
#define PASSPHRASE_CACHE 16
static struct {
    char *path;
    char pass[512];
} pass_cache[PASSPHRASE_CACHE];
static pthread_mutex_t pass_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pass_atexit;

void rel_ssh_forget_passphrases(void)
{
    pthread_mutex_lock(&pass_lock);
    for (size_t i = 0; i < PASSPHRASE_CACHE; i++) {
        OPENSSL_cleanse(pass_cache[i].pass, sizeof(pass_cache[i].pass));
        free(pass_cache[i].path);
        pass_cache[i].path = NULL;
    }
    pthread_mutex_unlock(&pass_lock);
}

static void pass_remember(const char *path, const char *pass)
{
    pthread_mutex_lock(&pass_lock);
    if (!pass_atexit) {
        atexit(rel_ssh_forget_passphrases);
        pass_atexit = true;
    }
    size_t slot = PASSPHRASE_CACHE - 1; /* full: the last slot is reused */
    for (size_t i = 0; i < PASSPHRASE_CACHE; i++)
        if (!pass_cache[i].path || strcmp(pass_cache[i].path, path) == 0) {
            slot = i;
            break;
        }
    if (!pass_cache[slot].path || strcmp(pass_cache[slot].path, path) != 0) {
        free(pass_cache[slot].path);
        pass_cache[slot].path = rel_strdup(path);
    }
    snprintf(pass_cache[slot].pass, sizeof(pass_cache[slot].pass), "%s", pass);
    pthread_mutex_unlock(&pass_lock);
}

/* Copy the passphrase remembered for `path` into buf; false when none. */
static bool pass_recall(const char *path, char *buf, size_t size)
{
    bool found = false;
    pthread_mutex_lock(&pass_lock);
    for (size_t i = 0; i < PASSPHRASE_CACHE && !found; i++)
        if (pass_cache[i].path && strcmp(pass_cache[i].path, path) == 0) {
            snprintf(buf, size, "%s", pass_cache[i].pass);
            found = true;
        }
    pthread_mutex_unlock(&pass_lock);
    return found;
}

/* Drop the remembered passphrase of `path` if it is still `pass`. */
static void pass_forget(const char *path, const char *pass)
{
    pthread_mutex_lock(&pass_lock);
    for (size_t i = 0; i < PASSPHRASE_CACHE; i++)
        if (pass_cache[i].path && strcmp(pass_cache[i].path, path) == 0 &&
            strcmp(pass_cache[i].pass, pass) == 0) {
            OPENSSL_cleanse(pass_cache[i].pass, sizeof(pass_cache[i].pass));
            free(pass_cache[i].path);
            pass_cache[i].path = NULL;
        }
    pthread_mutex_unlock(&pass_lock);
}

/* ---- authentication ---------------------------------------------------- */

static void tried_add(struct rel_ssh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tried_add(struct rel_ssh_session *s, const char *fmt, ...)
{
    if (s->tried.len)
        rel_buf_puts(&s->tried, ", ");
    va_list ap;
    va_start(ap, fmt);
    rel_buf_vprintf(&s->tried, fmt, ap);
    va_end(ap);
}

/* libssh2 before 1.11 cannot sign with rsa-sha2-256/512 (RFC 8332). */
static bool libssh2_lacks_rsa_sha2(void)
{
    return libssh2_version(0x010b00) == NULL;
}

static void note_refused_key(struct rel_ssh_session *s, const char *type, const char *what)
{
    if (strcmp(type, "ssh-rsa") == 0 && !s->rsa_refused)
        s->rsa_refused = rel_strdup(what);
}

/* Does the agent identity match one of the endpoint's identity files' .pub? */
static bool agent_key_allowed(struct rel_ssh_session *s, const struct libssh2_agent_publickey *id)
{
    if (!s->ep.identities_only)
        return true;
    bool ok = false;
    for (size_t i = 0; !ok && s->ep.identity_files[i]; i++) {
        char *pubpath = rel_asprintf("%s.pub", s->ep.identity_files[i]);
        struct rel_buf pub = REL_BUF_INIT;
        if (rel_fs_read_file(&pub, pubpath, KEYFILE_MAX) == 0) {
            char *text = rel_buf_detach(&pub);
            char *save = NULL, *f1 = strtok_r(text, " \t\n", &save);
            char *f2 = f1 ? strtok_r(NULL, " \t\n", &save) : NULL;
            size_t len = 0;
            unsigned char *blob = f2 ? rel_ssh_base64_decode(f2, &len) : NULL;
            ok = blob && len == id->blob_len && memcmp(blob, id->blob, len) == 0;
            free(blob);
            free(text);
        }
        rel_error_clear();
        rel_buf_free(&pub);
        free(pubpath);
    }
    return ok;
}

static int auth_failed(struct rel_ssh_session *s)
{
    if (s->rsa_refused && libssh2_lacks_rsa_sha2())
        return rel_ssh_fail(
            s, REL_EAUTH,
            "authentication failed for user %s: the server refused the RSA key %s; libssh2 %s "
            "signs RSA keys only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later reject by "
            "default; use an ed25519 key (ssh-keygen -t ed25519) or libssh2 1.11 or later "
            "(tried: %s)",
            s->ep.user, s->rsa_refused, libssh2_version(0), rel_buf_cstr(&s->tried));
    return rel_ssh_fail(s, REL_EAUTH,
                        "authentication failed for user %s on %s (tried: %s)", s->ep.user,
                        s->ep.hostname, s->tried.len ? rel_buf_cstr(&s->tried) : "no keys found");
}

static int step_authlist(struct rel_ssh_session *s)
{
    const char *user = s->ep.user;
    char *list = libssh2_userauth_list(s->ssh, user, (unsigned)strlen(user));
    if (!list) {
        if (libssh2_userauth_authenticated(s->ssh)) {
            s->st = S_READY;
            return 0;
        }
        int e = libssh2_session_last_errno(s->ssh);
        if (e == LIBSSH2_ERROR_EAGAIN) {
            rel_ssh_want_io(s);
            return REL_SSH_AGAIN;
        }
        int rc = rel_ssh_error(s, e, "asking for authentication methods");
        rel_ssh_die(s, rc);
        return rc;
    }
    s->authlist = rel_strdup(list);
    if (!strstr(s->authlist, "publickey"))
        return rel_ssh_fail(s, REL_EAUTH,
                            "the server offers no public key authentication for user %s "
                            "(it offers: %s); relman authenticates with keys only",
                            user, s->authlist);
    const char *sock = getenv("SSH_AUTH_SOCK");
    s->st = s->opts.use_agent && sock && *sock ? S_AGENT_INIT : S_KEYFILE_NEXT;
    return 0;
}

static int step_agent_init(struct rel_ssh_session *s)
{
    /* Agent I/O is a local socket; libssh2 does it synchronously. */
    s->agent = libssh2_agent_init(s->ssh);
    if (!s->agent || libssh2_agent_connect(s->agent) != 0 ||
        libssh2_agent_list_identities(s->agent) != 0) {
        rel_ssh_note(s, "ssh-agent at $SSH_AUTH_SOCK is not usable; trying key files");
        tried_add(s, "ssh-agent (unreachable)");
        s->st = S_KEYFILE_NEXT;
        return 0;
    }
    s->agent_prev = NULL;
    s->agent_cur = NULL;
    s->st = S_AGENT_TRY;
    return 0;
}

static int step_agent_try(struct rel_ssh_session *s)
{
    if (!s->agent_cur) {
        for (;;) {
            int r = libssh2_agent_get_identity(s->agent, &s->agent_cur, s->agent_prev);
            if (r != 0) { /* 1: no more identities; <0: agent error */
                if (s->agent_skipped)
                    tried_add(s, "%d ssh-agent key(s) not matching IdentityFile (IdentitiesOnly)",
                              s->agent_skipped);
                s->agent_cur = NULL;
                s->st = S_KEYFILE_NEXT;
                return 0;
            }
            if (agent_key_allowed(s, s->agent_cur))
                break;
            s->agent_skipped++;
            s->agent_prev = s->agent_cur;
        }
    }
    int r = libssh2_agent_userauth(s->agent, s->ep.user, s->agent_cur);
    if (r == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    char type[64];
    rel_ssh_blob_type(s->agent_cur->blob, s->agent_cur->blob_len, type, sizeof(type));
    if (r == 0) {
        s->st = S_READY;
        return 0;
    }
    if (rel_ssh_fatal_error(r))
        return rel_ssh_error(s, r, "authenticating with ssh-agent");
    char desc[256];
    snprintf(desc, sizeof(desc), "ssh-agent key %s (%s)", type,
             s->agent_cur->comment ? s->agent_cur->comment : "");
    tried_add(s, "%s", desc);
    note_refused_key(s, type, desc);
    s->agent_prev = s->agent_cur;
    s->agent_cur = NULL;
    return 0;
}

static int step_keyfile_next(struct rel_ssh_session *s)
{
    for (;;) {
        const char *path = s->ep.identity_files[s->key_index];
        if (!path) {
            s->st = S_AUTH_FAILED;
            return 0;
        }
        if (!rel_fs_is_file(path)) {
            s->key_index++;
            continue;
        }
        if (rel_ssh_keyfile_info(path, s->key_type, sizeof(s->key_type), &s->key_encrypted) < 0) {
            tried_add(s, "%s (unreadable: %s)", path, rel_error_message());
            rel_error_clear();
            s->key_index++;
            continue;
        }
        s->passphrase[0] = '\0';
        s->pass_attempt = 0;
        s->pass_cached = false;
        if (s->key_encrypted && pass_recall(path, s->passphrase, sizeof(s->passphrase))) {
            s->pass_cached = true;
        } else if (s->key_encrypted) {
            if (!s->opts.prompts || !s->opts.prompts->passphrase) {
                rel_ssh_note(s, "skipping %s: it is encrypted and there is no terminal to ask for "
                                "its passphrase (load it into ssh-agent)", path);
                tried_add(s, "%s (encrypted, no passphrase)", path);
                s->key_index++;
                continue;
            }
            s->pass_attempt = 1;
            int r = s->opts.prompts->passphrase(s->opts.prompt_ctx, s->label, path, 1,
                                                s->passphrase, sizeof(s->passphrase));
            rel_ssh_after_prompt(s);
            if (r < 0) {
                tried_add(s, "%s (no passphrase given)", path);
                s->key_index++;
                continue;
            }
            pass_remember(path, s->passphrase);
        }
        s->st = S_KEYFILE_TRY;
        return 0;
    }
}

static int step_keyfile_try(struct rel_ssh_session *s)
{
    const char *path = s->ep.identity_files[s->key_index];
    int r = libssh2_userauth_publickey_fromfile_ex(s->ssh, s->ep.user, (unsigned)strlen(s->ep.user),
                                                   NULL, path, s->passphrase);
    if (r == LIBSSH2_ERROR_EAGAIN) {
        rel_ssh_want_io(s);
        return REL_SSH_AGAIN;
    }
    if (r == 0) {
        memset(s->passphrase, 0, sizeof(s->passphrase));
        s->st = S_READY;
        return 0;
    }
    if (rel_ssh_fatal_error(r))
        return rel_ssh_error(s, r, "authenticating");
    bool bad_key = r == LIBSSH2_ERROR_FILE || r == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
    if (bad_key && s->key_encrypted)
        pass_forget(path, s->passphrase);
    if (bad_key && s->key_encrypted && s->pass_attempt < PASSPHRASE_TRIES && s->opts.prompts &&
        s->opts.prompts->passphrase) {
        s->pass_attempt++;
        s->pass_cached = false;
        int p = s->opts.prompts->passphrase(s->opts.prompt_ctx, s->label, path, s->pass_attempt,
                                            s->passphrase, sizeof(s->passphrase));
        rel_ssh_after_prompt(s);
        if (p == 0) {
            pass_remember(path, s->passphrase);
            return 0; /* try again with the new passphrase */
        }
    }
    memset(s->passphrase, 0, sizeof(s->passphrase));
    if (bad_key)
        tried_add(s, "%s (%s: cannot load it%s)", path, s->key_type,
                  s->key_encrypted ? ", wrong passphrase" : "");
    else {
        tried_add(s, "%s (%s)", path, s->key_type);
        note_refused_key(s, s->key_type, path);
    }
    s->key_index++;
    s->st = S_KEYFILE_NEXT;
    return 0;
}

int rel_ssh_auth_step(struct rel_ssh_session *s)
{
    switch (s->st) {
    case S_AUTHLIST: return step_authlist(s);
    case S_AGENT_INIT: return step_agent_init(s);
    case S_AGENT_TRY: return step_agent_try(s);
    case S_KEYFILE_NEXT: return step_keyfile_next(s);
    case S_KEYFILE_TRY: return step_keyfile_try(s);
    case S_AUTH_FAILED: return auth_failed(s);
    default: return rel_ssh_fail(s, REL_ESSH, "internal error: bad auth state %d", (int)s->st);
    }
}
