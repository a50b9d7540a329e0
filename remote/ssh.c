/*
 * ssh.c - libssh2 sessions, commands and probes as non-blocking state
 * machines (the shape of curl's lib/vssh/libssh2.c: one state per libssh2
 * call that may return EAGAIN, one function translating libssh2's errors).
 */
#define _GNU_SOURCE
#include "ssh.h"

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
#include <openssl/evp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONNECT_TIMEOUT 15
#define KNOWN_HOSTS_MAX ((size_t)4 << 20)
#define KEYFILE_MAX ((size_t)64 << 10)
#define UPLOAD_CHUNK ((size_t)256 << 10)
#define WRITE_QUEUE_MAX ((size_t)1 << 20)
#define READ_CHUNK 32768
#define PASSPHRASE_TRIES 3

/* ---- small helpers ----------------------------------------------------- */

int64_t rel_ssh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct {
    enum rel_ssh_policy policy;
    const char *name;
} policy_names[] = {
    {REL_SSH_POLICY_STRICT, "strict"},
    {REL_SSH_POLICY_ACCEPT_NEW, "accept-new"},
    {REL_SSH_POLICY_ASK, "ask"},
};

int rel_ssh_policy_parse(enum rel_ssh_policy *out, const char *name)
{
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
        if (strcmp(name, policy_names[i].name) == 0) {
            *out = policy_names[i].policy;
            return 0;
        }
    if (strcmp(name, "yes") == 0) {
        *out = REL_SSH_POLICY_STRICT;
        return 0;
    }
    return rel_error_set(REL_ECONFIG,
                         "unknown host key policy '%s' (expected strict, accept-new or ask)", name);
}

const char *rel_ssh_policy_name(enum rel_ssh_policy policy)
{
    for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
        if (policy_names[i].policy == policy)
            return policy_names[i].name;
    return "unknown";
}

void rel_ssh_opts_init(struct rel_ssh_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->policy = REL_SSH_POLICY_ACCEPT_NEW;
    opts->use_agent = true;
}

static int libssh2_ready;

static int ensure_libssh2(void)
{
    if (!libssh2_ready) {
        if (libssh2_init(0) != 0)
            return rel_error_set(REL_ESSH, "cannot initialise libssh2");
        libssh2_ready = 1;
    }
    return 0;
}

/* Base64 (standard alphabet) of data into out, without '=' padding when
 * `pad` is false (OpenSSH fingerprints). */
static void base64_put(struct rel_buf *out, const unsigned char *data, size_t len, bool pad)
{
    size_t enc_len = 4 * ((len + 2) / 3);
    unsigned char *enc = rel_malloc(enc_len + 1);
    EVP_EncodeBlock(enc, data, (int)len);
    size_t n = enc_len;
    if (!pad)
        while (n > 0 && enc[n - 1] == '=')
            n--;
    rel_buf_put(out, enc, n);
    free(enc);
}

/* Decode base64 `in` (no whitespace) into a malloc'd buffer; NULL if invalid. */
static unsigned char *base64_decode(const char *in, size_t *out_len)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len > KNOWN_HOSTS_MAX)
        return NULL;
    unsigned char *out = rel_malloc(len / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding bytes as data. */
    if (len >= 1 && in[len - 1] == '=')
        n--;
    if (len >= 2 && in[len - 2] == '=')
        n--;
    *out_len = (size_t)n;
    return out;
}

int rel_ssh_fingerprint(struct rel_buf *out, const unsigned char *blob, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(blob, len, md, &md_len, EVP_sha256(), NULL))
        return rel_error_set(REL_EIO, "SHA256 failed");
    rel_buf_puts(out, "SHA256:");
    base64_put(out, md, md_len, false);
    return 0;
}

/* Read an SSH wire "string" (uint32 length + bytes) at *p within [*p, end). */
static int wire_string(const unsigned char **p, const unsigned char *end, const unsigned char **s,
                       size_t *len)
{
    if (end - *p < 4)
        return -1;
    uint32_t n = ((uint32_t)(*p)[0] << 24) | ((uint32_t)(*p)[1] << 16) | ((uint32_t)(*p)[2] << 8) |
                 (*p)[3];
    *p += 4;
    if ((size_t)(end - *p) < n)
        return -1;
    *s = *p;
    *len = n;
    *p += n;
    return 0;
}

/* Key type named at the start of a public key blob. */
static void blob_type(const unsigned char *blob, size_t len, char *type, size_t size)
{
    const unsigned char *p = blob, *s;
    size_t n;
    if (wire_string(&p, blob + len, &s, &n) == 0 && n > 0 && n < size) {
        memcpy(type, s, n);
        type[n] = '\0';
    } else {
        snprintf(type, size, "unknown");
    }
}

int rel_ssh_keyfile_info(const char *path, char *type, size_t type_size, bool *encrypted)
{
    struct rel_buf text = REL_BUF_INIT, pub = REL_BUF_INIT;
    snprintf(type, type_size, "unknown");
    *encrypted = false;
    int rc = rel_fs_read_file(&text, path, KEYFILE_MAX);
    if (rc < 0)
        goto cleanup;
    const char *t = rel_buf_cstr(&text);
    if (strstr(t, "-----BEGIN OPENSSH PRIVATE KEY-----")) {
        /* openssh-key-v1: magic, cipher, kdf, kdf options, key count, public key. */
        const char *b = strchr(t, '\n');
        const char *e = strstr(t, "-----END");
        struct rel_buf b64 = REL_BUF_INIT;
        for (; b && e && b < e; b++)
            if (*b != '\n' && *b != '\r' && *b != ' ')
                rel_buf_putc(&b64, *b);
        size_t len = 0;
        unsigned char *raw = base64_decode(rel_buf_cstr(&b64), &len);
        rel_buf_free(&b64);
        static const char magic[] = "openssh-key-v1";
        if (raw && len > sizeof(magic) && memcmp(raw, magic, sizeof(magic)) == 0) {
            const unsigned char *p = raw + sizeof(magic), *end = raw + len, *s, *kdf, *opts, *key;
            size_t n, kn, on, keyn;
            if (wire_string(&p, end, &s, &n) == 0) {
                *encrypted = !(n == 4 && memcmp(s, "none", 4) == 0);
                if (wire_string(&p, end, &kdf, &kn) == 0 && wire_string(&p, end, &opts, &on) == 0 &&
                    end - p >= 4) {
                    p += 4;
                    if (wire_string(&p, end, &key, &keyn) == 0)
                        blob_type(key, keyn, type, type_size);
                }
            }
        }
        free(raw);
    } else if (strstr(t, "-----BEGIN RSA PRIVATE KEY-----")) {
        snprintf(type, type_size, "ssh-rsa");
        *encrypted = strstr(t, "ENCRYPTED") != NULL;
    } else if (strstr(t, "-----BEGIN EC PRIVATE KEY-----")) {
        snprintf(type, type_size, "ecdsa");
        *encrypted = strstr(t, "ENCRYPTED") != NULL;
    } else if (strstr(t, "-----BEGIN DSA PRIVATE KEY-----")) {
        snprintf(type, type_size, "ssh-dss");
        *encrypted = strstr(t, "ENCRYPTED") != NULL;
    } else if (strstr(t, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        *encrypted = true;
    }
    if (strcmp(type, "unknown") == 0) {
        char *pubpath = rel_asprintf("%s.pub", path);
        if (rel_fs_read_file(&pub, pubpath, KEYFILE_MAX) == 0) {
            size_t n = strcspn(rel_buf_cstr(&pub), " \t\n");
            if (n > 0 && n < type_size)
                snprintf(type, type_size, "%.*s", (int)n, rel_buf_cstr(&pub));
        }
        free(pubpath);
        rel_error_clear();
    }
cleanup:
    rel_buf_free(&text);
    rel_buf_free(&pub);
    return rc;
}

/* ---- sessions ---------------------------------------------------------- */

enum session_state {
    S_RESOLVE,
    S_CONNECT,
    S_WAIT_CONNECT,
    S_INIT,
    S_HANDSHAKE,
    S_HOSTKEY,
    S_AUTHLIST,
    S_AGENT_INIT,
    S_AGENT_TRY,
    S_KEYFILE_NEXT,
    S_KEYFILE_TRY,
    S_AUTH_FAILED,
    S_READY,
    S_DEAD,
};

struct rel_ssh_session {
    struct rel_ssh_endpoint ep;
    struct rel_ssh_opts opts;
    char *label;
    char *peer;        /* "user@host port N" */
    char *kh_name;     /* "host" or "[host]:port" as in known_hosts */
    enum session_state st;
    int sock;
    struct addrinfo *ai, *ai_next;
    int connect_errno;
    LIBSSH2_SESSION *ssh;
    LIBSSH2_KNOWNHOSTS *kh;
    struct rel_buf kh_text; /* the known_hosts file as read (for line numbers) */
    int want;               /* LIBSSH2_SESSION_BLOCK_* (or ours) to poll for */
    int64_t deadline;       /* of the connect phase */
    int timeout_s;          /* its length */
    int error;              /* sticky error once dead */
    char *error_msg;
    /* authentication */
    char *authlist;
    LIBSSH2_AGENT *agent;
    struct libssh2_agent_publickey *agent_prev;
    struct libssh2_agent_publickey *agent_cur;
    int agent_skipped;
    size_t key_index;
    char key_type[64];
    bool key_encrypted;
    int pass_attempt;
    char passphrase[512];
    struct rel_buf tried;   /* "agent ssh-ed25519 SHA256:..., /path (ssh-rsa)" */
    char *rsa_refused;      /* the first RSA key the server refused */
};

static void session_note(struct rel_ssh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void session_note(struct rel_ssh_session *s, const char *fmt, ...)
{
    if (!s->opts.events || !s->opts.events->ops || !s->opts.events->ops->note)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->opts.events->ops->note(s->opts.events->ctx, s->label, msg);
}

static void session_stepev(struct rel_ssh_session *s, const char *step, const char *detail)
{
    if (s->opts.events && s->opts.events->ops && s->opts.events->ops->step)
        s->opts.events->ops->step(s->opts.events->ctx, s->label, step, detail);
}

/* Remember what libssh2 wants to wait for after an EAGAIN. */
static void want_io(struct rel_ssh_session *s)
{
    if (s->ssh)
        s->want |= libssh2_session_block_directions(s->ssh);
}

/*
 * The one place libssh2's error codes become relman's. `lrc` is the libssh2
 * return code, `what` says what we were doing. Marks the session dead when the
 * failure is a transport one. Returns the REL_E* code with the message set.
 */
static const struct {
    int lrc;
    int code;
    const char *text;
} ssh_error_table[] = {
    {LIBSSH2_ERROR_SOCKET_NONE, REL_ESSH, "connection failed"},
    {LIBSSH2_ERROR_BANNER_RECV, REL_ESSH, "no SSH banner from the server (not an SSH server?)"},
    {LIBSSH2_ERROR_BANNER_SEND, REL_ESSH, "cannot send the SSH banner"},
    {LIBSSH2_ERROR_INVALID_MAC, REL_ESSH, "corrupted data (invalid MAC)"},
    {LIBSSH2_ERROR_KEX_FAILURE, REL_ESSH, "key exchange failed (no common algorithm)"},
    {LIBSSH2_ERROR_ALLOC, REL_ENOMEM, "out of memory in libssh2"},
    {LIBSSH2_ERROR_SOCKET_SEND, REL_ESSH, "connection lost (send failed)"},
    {LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, REL_ESSH, "key exchange failed"},
    {LIBSSH2_ERROR_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_HOSTKEY_INIT, REL_EHOSTKEY, "cannot use the server's host key"},
    {LIBSSH2_ERROR_HOSTKEY_SIGN, REL_EHOSTKEY, "the server's host key signature is invalid"},
    {LIBSSH2_ERROR_DECRYPT, REL_ESSH, "decryption failed"},
    {LIBSSH2_ERROR_SOCKET_DISCONNECT, REL_ESSH, "connection closed by the server"},
    {LIBSSH2_ERROR_PROTO, REL_ESSH, "SSH protocol error"},
    {LIBSSH2_ERROR_PASSWORD_EXPIRED, REL_EAUTH, "password expired"},
    {LIBSSH2_ERROR_FILE, REL_EAUTH, "cannot read the key file (wrong passphrase or unsupported format)"},
    {LIBSSH2_ERROR_METHOD_NONE, REL_ESSH, "no usable method"},
    {LIBSSH2_ERROR_AUTHENTICATION_FAILED, REL_EAUTH, "authentication failed"},
    {LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, REL_EAUTH, "the key could not be verified (wrong passphrase?)"},
    {LIBSSH2_ERROR_CHANNEL_OUTOFORDER, REL_ESSH, "channel out of order"},
    {LIBSSH2_ERROR_CHANNEL_FAILURE, REL_ESSH, "channel failure"},
    {LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, REL_ESSH, "the server denied the channel request"},
    {LIBSSH2_ERROR_CHANNEL_UNKNOWN, REL_ESSH, "unknown channel"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED, REL_ESSH, "channel window exceeded"},
    {LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED, REL_ESSH, "channel packet too large"},
    {LIBSSH2_ERROR_CHANNEL_CLOSED, REL_ESSH, "channel closed"},
    {LIBSSH2_ERROR_CHANNEL_EOF_SENT, REL_ESSH, "channel already at EOF"},
    {LIBSSH2_ERROR_SOCKET_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_REQUEST_DENIED, REL_ESSH, "request denied by the server"},
    {LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, REL_ESSH, "method not supported"},
    {LIBSSH2_ERROR_INVAL, REL_ESSH, "invalid argument to libssh2"},
    {LIBSSH2_ERROR_PUBLICKEY_PROTOCOL, REL_EAUTH, "public key protocol error"},
    {LIBSSH2_ERROR_BUFFER_TOO_SMALL, REL_ESSH, "buffer too small"},
    {LIBSSH2_ERROR_BAD_USE, REL_ESSH, "libssh2 misused"},
    {LIBSSH2_ERROR_AGENT_PROTOCOL, REL_EAUTH, "ssh-agent protocol error"},
    {LIBSSH2_ERROR_SOCKET_RECV, REL_ESSH, "connection lost (receive failed)"},
    {LIBSSH2_ERROR_ENCRYPT, REL_ESSH, "encryption failed"},
    {LIBSSH2_ERROR_BAD_SOCKET, REL_ESSH, "bad socket"},
    {LIBSSH2_ERROR_KNOWN_HOSTS, REL_EHOSTKEY, "known_hosts error"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_FULL, REL_ESSH, "channel window full"},
    {LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, REL_EAUTH, "key file authentication failed"},
};

static bool transport_error(int lrc)
{
    switch (lrc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_INVALID_MAC:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_BAD_SOCKET:
        return true;
    default:
        return false;
    }
}

static void session_die(struct rel_ssh_session *s, int code)
{
    s->st = S_DEAD;
    s->error = code;
    free(s->error_msg);
    s->error_msg = rel_strdup(rel_error_message());
}

static int ssh_error(struct rel_ssh_session *s, int lrc, const char *what)
{
    int code = REL_ESSH;
    const char *text = "unknown libssh2 error";
    for (size_t i = 0; i < sizeof(ssh_error_table) / sizeof(ssh_error_table[0]); i++)
        if (ssh_error_table[i].lrc == lrc) {
            code = ssh_error_table[i].code;
            text = ssh_error_table[i].text;
            break;
        }
    char *detail = NULL;
    if (s->ssh)
        libssh2_session_last_error(s->ssh, &detail, NULL, 0);
    if (detail && *detail && strcmp(detail, text) != 0)
        rel_error_set(code, "%s (%s): %s: %s (%s)", s->label, s->peer, what, text, detail);
    else
        rel_error_set(code, "%s (%s): %s: %s", s->label, s->peer, what, text);
    if (transport_error(lrc))
        session_die(s, code);
    return code;
}

/* A failure that is ours, not libssh2's: set the message, kill the session. */
static int session_fail(struct rel_ssh_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int session_fail(struct rel_ssh_session *s, int code, const char *fmt, ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rel_error_set(code, "%s (%s): %s", s->label, s->peer, msg);
    session_die(s, code);
    return code;
}

int rel_ssh_session_new(struct rel_ssh_session **out, const struct rel_ssh_endpoint *ep,
                        const struct rel_ssh_opts *opts)
{
    *out = NULL;
    int rc = ensure_libssh2();
    if (rc < 0)
        return rc;
    struct rel_ssh_session *s = rel_calloc(1, sizeof(*s));
    rel_sshconfig_copy(&s->ep, ep);
    if (opts)
        s->opts = *opts;
    else
        rel_ssh_opts_init(&s->opts);
    s->label = rel_strdup(s->opts.label ? s->opts.label : ep->alias);
    s->opts.label = s->label;
    s->peer = rel_asprintf("%s@%s port %d", ep->user, ep->hostname, ep->port);
    s->kh_name = ep->port == 22 ? rel_strdup(ep->hostname)
                                : rel_asprintf("[%s]:%d", ep->hostname, ep->port);
    s->sock = -1;
    s->st = S_RESOLVE;
    rel_buf_init(&s->tried, 4096);
    rel_buf_init(&s->kh_text, KNOWN_HOSTS_MAX);
    *out = s;
    return 0;
}

bool rel_ssh_session_ready(const struct rel_ssh_session *s)
{
    return s->st == S_READY;
}

bool rel_ssh_session_alive(const struct rel_ssh_session *s)
{
    return s->st != S_DEAD;
}

const char *rel_ssh_session_label(const struct rel_ssh_session *s)
{
    return s->label;
}

const char *rel_ssh_session_peer(const struct rel_ssh_session *s)
{
    return s->peer;
}

int rel_ssh_session_pollfd(const struct rel_ssh_session *s, struct pollfd *pfd)
{
    if (s->sock < 0 || s->st == S_DEAD)
        return 0;
    pfd->fd = s->sock;
    pfd->revents = 0;
    if (s->st == S_WAIT_CONNECT) {
        pfd->events = POLLOUT;
        return 1;
    }
    pfd->events = 0;
    if (s->want & LIBSSH2_SESSION_BLOCK_INBOUND)
        pfd->events |= POLLIN;
    if (s->want & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        pfd->events |= POLLOUT;
    if (!pfd->events)
        pfd->events = POLLIN; /* whatever the server says next */
    return 1;
}

int64_t rel_ssh_session_deadline(const struct rel_ssh_session *s)
{
    return s->st < S_READY ? s->deadline : 0;
}

/* A person may take their time answering a prompt: the connect timeout
 * starts again afterwards. */
static void after_prompt(struct rel_ssh_session *s)
{
    s->deadline = rel_ssh_now_ms() + (int64_t)s->timeout_s * 1000;
}

/* ---- known_hosts ------------------------------------------------------- */

static const struct {
    int hostkey_type; /* LIBSSH2_HOSTKEY_TYPE_* */
    int knownhost_bit;
    const char *name;    /* key type as written in known_hosts */
    const char *methods; /* host key algorithms to prefer when pinned */
} key_types[] = {
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519", "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521",
     "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384",
     "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256",
     "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa",
     "rsa-sha2-512,rsa-sha2-256,ssh-rsa"},
};
#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

/*
 * Load known_hosts line by line: libssh2_knownhost_readfile() gives up on the
 * first line it cannot parse (a @cert-authority line, an sk- key), which
 * would make every host unknown; skipping such lines is what OpenSSH does.
 */
static int load_known_hosts(struct rel_ssh_session *s)
{
    s->kh = libssh2_knownhost_init(s->ssh);
    if (!s->kh)
        return ssh_error(s, LIBSSH2_ERROR_ALLOC, "known_hosts");
    int rc = rel_fs_read_file(&s->kh_text, s->ep.known_hosts, KNOWN_HOSTS_MAX);
    if (rc == REL_ENOTFOUND) {
        rel_error_clear();
        return 0;
    }
    if (rc < 0)
        return session_fail(s, REL_EHOSTKEY, "cannot read known hosts: %s", rel_error_message());
    const char *p = rel_buf_cstr(&s->kh_text);
    while (*p) {
        size_t len = strcspn(p, "\n");
        /* libssh2 looks one byte past the line for its '\n': give it the
         * newline too, or it drops the key's last character. */
        if (len > 0 && p[0] != '#' && p[0] != '@')
            libssh2_knownhost_readline(s->kh, p, len + (p[len] == '\n'),
                                       LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        p += len;
        if (*p == '\n')
            p++;
    }
    return 0;
}

/*
 * Prefer the host key types known_hosts already holds for this host, so a
 * server with several keys presents the one we can check (libgit2's trick:
 * probing with a dummy key reports MISMATCH exactly for the stored types,
 * which also works for hashed entries).
 */
static int pin_host_key_types(struct rel_ssh_session *s)
{
    struct rel_buf methods = REL_BUF_INIT;
    static const char dummy[1] = {0};
    int port = s->ep.port == 22 ? -1 : s->ep.port;
    for (size_t i = 0; i < N_KEY_TYPES; i++) {
        int r = libssh2_knownhost_checkp(s->kh, s->ep.hostname, port, dummy, sizeof(dummy),
                                         LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                             LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                             key_types[i].knownhost_bit,
                                         NULL);
        if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
            if (methods.len)
                rel_buf_putc(&methods, ',');
            rel_buf_puts(&methods, key_types[i].methods);
        }
    }
    int rc = 0;
    if (methods.len) {
        int r = libssh2_session_method_pref(s->ssh, LIBSSH2_METHOD_HOSTKEY, rel_buf_cstr(&methods));
        if (r < 0)
            rc = ssh_error(s, r, "setting host key algorithms");
    }
    rel_buf_free(&methods);
    return rc;
}

/* 1-based line of known_hosts holding the base64 key `b64`, or 0. */
static int known_hosts_line(struct rel_ssh_session *s, const char *b64)
{
    const char *p = rel_buf_cstr(&s->kh_text);
    size_t klen = strlen(b64);
    int line = 1;
    while (*p) {
        size_t len = strcspn(p, "\n");
        const char *hit = klen ? memmem(p, len, b64, klen) : NULL;
        if (hit)
            return line;
        p += len;
        if (*p == '\n')
            p++;
        line++;
    }
    return 0;
}

/* Append "NAME TYPE BASE64" to known_hosts (temp file + rename). */
static int remember_host_key(struct rel_ssh_session *s, const char *type, const char *key,
                             size_t keylen)
{
    struct rel_buf data = REL_BUF_INIT;
    int rc = 0;
    char *dir = rel_path_dirname(s->ep.known_hosts);
    mode_t mode = 0644;
    struct stat st;
    if (stat(s->ep.known_hosts, &st) == 0)
        mode = st.st_mode & 07777;
    if (!rel_fs_is_dir(dir) && (rc = rel_fs_mkdirs(dir, 0700)) < 0)
        goto cleanup;
    /* Read the file again: other sessions of this run (many hosts connect at
     * once) may have added their keys since this one loaded it. */
    rel_buf_init(&data, KNOWN_HOSTS_MAX + 4096);
    rc = rel_fs_read_file(&data, s->ep.known_hosts, KNOWN_HOSTS_MAX);
    if (rc == REL_ENOTFOUND) {
        rel_error_clear();
        rc = 0;
    }
    if (rc < 0)
        goto cleanup;
    if (data.len && data.ptr[data.len - 1] != '\n')
        rel_buf_putc(&data, '\n');
    rel_buf_printf(&data, "%s %s ", s->kh_name, type);
    base64_put(&data, (const unsigned char *)key, keylen, true);
    rel_buf_putc(&data, '\n');
    rc = rel_fs_write_atomic(s->ep.known_hosts, data.ptr, data.len, mode);
cleanup:
    if (rc < 0)
        rel_error_prefix("%s: cannot add the host key to known_hosts", s->label);
    free(dir);
    rel_buf_free(&data);
    return rc;
}

static int check_host_key(struct rel_ssh_session *s)
{
    size_t keylen = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(s->ssh, &keylen, &type);
    if (!key)
        return ssh_error(s, libssh2_session_last_errno(s->ssh), "reading the host key");
    size_t t = 0;
    while (t < N_KEY_TYPES && key_types[t].hostkey_type != type)
        t++;
    if (t == N_KEY_TYPES)
        return session_fail(s, REL_EHOSTKEY, "unsupported host key type %d; refusing to connect",
                            type);
    struct rel_buf fp = REL_BUF_INIT;
    rel_ssh_fingerprint(&fp, (const unsigned char *)key, keylen);
    struct libssh2_knownhost *known = NULL;
    int check = libssh2_knownhost_checkp(
        s->kh, s->ep.hostname, s->ep.port == 22 ? -1 : s->ep.port, key, keylen,
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_types[t].knownhost_bit,
        &known);
    int rc = 0;
    switch (check) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        break;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: {
        struct rel_buf oldfp = REL_BUF_INIT;
        size_t oldlen = 0;
        unsigned char *old = known && known->key ? base64_decode(known->key, &oldlen) : NULL;
        if (old)
            rel_ssh_fingerprint(&oldfp, old, oldlen);
        else
            rel_buf_puts(&oldfp, "(unreadable)");
        int line = known && known->key ? known_hosts_line(s, known->key) : 0;
        rc = session_fail(s, REL_EHOSTKEY,
                          "HOST KEY CHANGED: %s:%d holds %s %s for %s, the server presented "
                          "%s %s; refusing to connect under every policy (if the change is "
                          "expected, remove the old key: ssh-keygen -R '%s' -f %s)",
                          s->ep.known_hosts, line, key_types[t].name, rel_buf_cstr(&oldfp),
                          s->kh_name, key_types[t].name, rel_buf_cstr(&fp), s->kh_name,
                          s->ep.known_hosts);
        free(old);
        rel_buf_free(&oldfp);
        break;
    }
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: {
        struct rel_ssh_hostkey info = {.label = s->label, .host = s->kh_name,
                                       .key_type = key_types[t].name,
                                       .fingerprint = rel_buf_cstr(&fp),
                                       .known_hosts = s->ep.known_hosts};
        bool accept = false;
        if (s->opts.policy == REL_SSH_POLICY_ACCEPT_NEW) {
            accept = true;
        } else if (s->opts.policy == REL_SSH_POLICY_ASK) {
            if (!s->opts.prompts || !s->opts.prompts->confirm_hostkey) {
                rc = session_fail(s, REL_EHOSTKEY,
                                  "unknown host key %s %s for %s and no way to ask (policy ask "
                                  "needs a terminal); add it to %s or use policy accept-new",
                                  key_types[t].name, rel_buf_cstr(&fp), s->kh_name,
                                  s->ep.known_hosts);
                break;
            }
            int answer = s->opts.prompts->confirm_hostkey(s->opts.prompt_ctx, &info);
            after_prompt(s);
            if (answer < 0) {
                rc = session_fail(s, answer, "host key confirmation failed: %s",
                                  rel_error_message());
                break;
            }
            if (answer == 0) {
                rc = session_fail(s, REL_EHOSTKEY, "host key %s %s for %s refused", key_types[t].name,
                                  rel_buf_cstr(&fp), s->kh_name);
                break;
            }
            accept = true;
        } else {
            rc = session_fail(s, REL_EHOSTKEY,
                              "unknown host key %s %s for %s: not in %s and the host key policy is "
                              "strict; add the key to known_hosts (after checking the fingerprint) "
                              "or use policy accept-new",
                              key_types[t].name, rel_buf_cstr(&fp), s->kh_name, s->ep.known_hosts);
            break;
        }
        if (accept) {
            rc = remember_host_key(s, key_types[t].name, key, keylen);
            if (rc < 0)
                session_die(s, rc);
            else
                session_note(s, "added host key %s %s for %s to %s", key_types[t].name,
                             rel_buf_cstr(&fp), s->kh_name, s->ep.known_hosts);
        }
        break;
    }
    default:
        rc = session_fail(s, REL_EHOSTKEY, "cannot check the host key against %s",
                          s->ep.known_hosts);
    }
    rel_buf_free(&fp);
    return rc;
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
            unsigned char *blob = f2 ? base64_decode(f2, &len) : NULL;
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
        return session_fail(
            s, REL_EAUTH,
            "authentication failed for user %s: the server refused the RSA key %s; libssh2 %s "
            "signs RSA keys only with ssh-rsa (SHA-1), which OpenSSH 8.8 and later reject by "
            "default; use an ed25519 key (ssh-keygen -t ed25519) or libssh2 1.11 or later "
            "(tried: %s)",
            s->ep.user, s->rsa_refused, libssh2_version(0), rel_buf_cstr(&s->tried));
    return session_fail(s, REL_EAUTH,
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
            want_io(s);
            return REL_SSH_AGAIN;
        }
        int rc = ssh_error(s, e, "asking for authentication methods");
        session_die(s, rc);
        return rc;
    }
    s->authlist = rel_strdup(list);
    if (!strstr(s->authlist, "publickey"))
        return session_fail(s, REL_EAUTH,
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
        session_note(s, "ssh-agent at $SSH_AUTH_SOCK is not usable; trying key files");
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
        want_io(s);
        return REL_SSH_AGAIN;
    }
    char type[64];
    blob_type(s->agent_cur->blob, s->agent_cur->blob_len, type, sizeof(type));
    if (r == 0) {
        s->st = S_READY;
        return 0;
    }
    if (transport_error(r))
        return ssh_error(s, r, "authenticating with ssh-agent");
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
        if (s->key_encrypted) {
            if (!s->opts.prompts || !s->opts.prompts->passphrase) {
                session_note(s, "skipping %s: it is encrypted and there is no terminal to ask for "
                                "its passphrase (load it into ssh-agent)", path);
                tried_add(s, "%s (encrypted, no passphrase)", path);
                s->key_index++;
                continue;
            }
            s->pass_attempt = 1;
            int r = s->opts.prompts->passphrase(s->opts.prompt_ctx, s->label, path, 1,
                                                s->passphrase, sizeof(s->passphrase));
            after_prompt(s);
            if (r < 0) {
                tried_add(s, "%s (no passphrase given)", path);
                s->key_index++;
                continue;
            }
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
        want_io(s);
        return REL_SSH_AGAIN;
    }
    if (r == 0) {
        memset(s->passphrase, 0, sizeof(s->passphrase));
        s->st = S_READY;
        return 0;
    }
    if (transport_error(r))
        return ssh_error(s, r, "authenticating");
    bool bad_key = r == LIBSSH2_ERROR_FILE || r == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
    if (bad_key && s->key_encrypted && s->pass_attempt < PASSPHRASE_TRIES) {
        s->pass_attempt++;
        int p = s->opts.prompts->passphrase(s->opts.prompt_ctx, s->label, path, s->pass_attempt,
                                            s->passphrase, sizeof(s->passphrase));
        after_prompt(s);
        if (p == 0)
            return 0; /* try again with the new passphrase */
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

/* ---- connecting ---------------------------------------------------------- */

static int step_resolve(struct rel_ssh_session *s)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    char port[16];
    snprintf(port, sizeof(port), "%d", s->ep.port);
    s->timeout_s = s->opts.connect_timeout > 0 ? s->opts.connect_timeout
                   : s->ep.connect_timeout > 0 ? s->ep.connect_timeout
                                               : DEFAULT_CONNECT_TIMEOUT;
    s->deadline = rel_ssh_now_ms() + (int64_t)s->timeout_s * 1000;
    session_stepev(s, "connect", s->peer);
    /* Name resolution blocks; hosts are usually in /etc/hosts or DNS caches. */
    int r = getaddrinfo(s->ep.hostname, port, &hints, &s->ai);
    if (r != 0)
        return session_fail(s, REL_ESSH, "cannot resolve %s: %s", s->ep.hostname, gai_strerror(r));
    s->ai_next = s->ai;
    s->st = S_CONNECT;
    return 0;
}

static int step_connect(struct rel_ssh_session *s)
{
    while (s->ai_next) {
        struct addrinfo *a = s->ai_next;
        s->ai_next = a->ai_next;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            s->connect_errno = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            s->sock = fd;
            s->st = S_WAIT_CONNECT;
            return REL_SSH_AGAIN;
        }
        s->connect_errno = errno;
        close(fd);
    }
    return session_fail(s, REL_ESSH, "cannot connect: %s",
                        strerror(s->connect_errno ? s->connect_errno : ECONNREFUSED));
}

static int step_wait_connect(struct rel_ssh_session *s)
{
    struct pollfd p = {.fd = s->sock, .events = POLLOUT};
    if (poll(&p, 1, 0) <= 0)
        return REL_SSH_AGAIN;
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(s->sock, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        s->connect_errno = err;
        close(s->sock);
        s->sock = -1;
        s->st = S_CONNECT;
        return 0;
    }
    s->st = S_INIT;
    return 0;
}

static int step_init(struct rel_ssh_session *s)
{
    s->ssh = libssh2_session_init_ex(NULL, NULL, NULL, s);
    if (!s->ssh)
        return session_fail(s, REL_ENOMEM, "cannot create an SSH session");
    libssh2_session_set_blocking(s->ssh, 0);
    int rc = load_known_hosts(s);
    if (rc == 0)
        rc = pin_host_key_types(s);
    if (rc < 0)
        return rc;
    s->st = S_HANDSHAKE;
    return 0;
}

static int step_handshake(struct rel_ssh_session *s)
{
    int r = libssh2_session_handshake(s->ssh, s->sock);
    if (r == LIBSSH2_ERROR_EAGAIN) {
        want_io(s);
        return REL_SSH_AGAIN;
    }
    if (r != 0) {
        int rc = ssh_error(s, r, "SSH handshake");
        session_die(s, rc);
        return rc;
    }
    s->st = S_HOSTKEY;
    return 0;
}

int rel_ssh_session_step(struct rel_ssh_session *s)
{
    s->want = 0;
    for (;;) {
        if (s->st == S_READY)
            return 0;
        if (s->st == S_DEAD)
            return rel_error_set(s->error, "%s", s->error_msg ? s->error_msg : "session failed");
        if (s->deadline && rel_ssh_now_ms() > s->deadline)
            return session_fail(s, REL_ESSH, "timed out while connecting");
        int rc;
        switch (s->st) {
        case S_RESOLVE: rc = step_resolve(s); break;
        case S_CONNECT: rc = step_connect(s); break;
        case S_WAIT_CONNECT: rc = step_wait_connect(s); break;
        case S_INIT: rc = step_init(s); break;
        case S_HANDSHAKE: rc = step_handshake(s); break;
        case S_HOSTKEY:
            rc = check_host_key(s);
            if (rc == 0)
                s->st = S_AUTHLIST;
            break;
        case S_AUTHLIST: rc = step_authlist(s); break;
        case S_AGENT_INIT: rc = step_agent_init(s); break;
        case S_AGENT_TRY: rc = step_agent_try(s); break;
        case S_KEYFILE_NEXT: rc = step_keyfile_next(s); break;
        case S_KEYFILE_TRY: rc = step_keyfile_try(s); break;
        case S_AUTH_FAILED: rc = auth_failed(s); break;
        default: rc = session_fail(s, REL_ESSH, "internal error: bad state %d", (int)s->st);
        }
        if (rc != 0) {
            if (rc < 0 && s->st != S_DEAD)
                session_die(s, rc);
            return rc;
        }
    }
}

void rel_ssh_session_free(struct rel_ssh_session *s)
{
    if (!s)
        return;
    if (s->agent) {
        libssh2_agent_disconnect(s->agent);
        libssh2_agent_free(s->agent);
    }
    if (s->kh)
        libssh2_knownhost_free(s->kh);
    if (s->ssh) {
        if (s->st == S_READY) {
            /* Bounded, best effort: a polite goodbye, never a hang. */
            libssh2_session_set_blocking(s->ssh, 1);
            libssh2_session_set_timeout(s->ssh, 2000);
            libssh2_session_disconnect(s->ssh, "relman done");
        }
        libssh2_session_free(s->ssh);
    }
    if (s->sock >= 0)
        close(s->sock);
    if (s->ai)
        freeaddrinfo(s->ai);
    rel_sshconfig_free(&s->ep);
    rel_buf_free(&s->kh_text);
    rel_buf_free(&s->tried);
    memset(s->passphrase, 0, sizeof(s->passphrase));
    free(s->authlist);
    free(s->rsa_refused);
    free(s->error_msg);
    free(s->label);
    free(s->peer);
    free(s->kh_name);
    free(s);
}

/* ---- commands ---------------------------------------------------------- */

enum exec_state { X_OPEN, X_PTY, X_EXEC, X_IO, X_CLOSE, X_WAIT_CLOSED, X_DONE, X_FAILED };

struct rel_ssh_exec {
    struct rel_ssh_session *s;
    LIBSSH2_CHANNEL *ch;
    enum exec_state st;
    struct rel_ssh_exec_opts o;
    char *command;
    char *term;
    /* stdin */
    char *inbuf;
    size_t in_len, in_off;
    bool in_done; /* no more stdin data will come */
    bool eof_sent;
    uint64_t sent;
    struct rel_buf wq; /* interactive queue */
    int64_t last_progress;
    /* resize */
    bool resize_pending;
    int cols, rows;
    /* output */
    struct rel_buf out, err;
    /* result */
    int status;
    char *signal;
    int64_t t0, deadline;
    bool reported;
    int error;
    char *error_msg;
};

static const struct rel_remote_event_ops *ev_ops(struct rel_ssh_session *s)
{
    return s->opts.events ? s->opts.events->ops : NULL;
}

static void exec_report(struct rel_ssh_exec *x)
{
    if (x->reported)
        return;
    x->reported = true;
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    if (!ops || !ops->command_end)
        return;
    struct rel_remote_command c = {
        .host = x->s->label,
        .command = x->command,
        .exit_status = x->status,
        .signal = x->signal,
        .error = x->error ? x->error_msg : NULL,
        .stderr_tail = rel_buf_cstr(&x->err),
        .seconds = (double)(rel_ssh_now_ms() - x->t0) / 1000.0,
    };
    ops->command_end(x->s->opts.events->ctx, &c);
}

static int exec_fail(struct rel_ssh_exec *x, int code)
{
    x->st = X_FAILED;
    x->error = code;
    free(x->error_msg);
    x->error_msg = rel_strdup(rel_error_message());
    exec_report(x);
    rel_error_set(code, "%s", x->error_msg);
    return code;
}

static int exec_lib_fail(struct rel_ssh_exec *x, int lrc, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s `%.100s%s`", what, x->command, strlen(x->command) > 100 ? "..." : "");
    return exec_fail(x, ssh_error(x->s, lrc, buf));
}

int rel_ssh_exec_start(struct rel_ssh_exec **out, struct rel_ssh_session *s,
                       const struct rel_ssh_exec_opts *opts)
{
    *out = NULL;
    if (s->st != S_READY)
        return rel_error_set(s->st == S_DEAD ? s->error : REL_EINVAL, "%s (%s): %s", s->label,
                             s->peer, s->st == S_DEAD ? "connection lost" : "not connected");
    struct rel_ssh_exec *x = rel_calloc(1, sizeof(*x));
    x->s = s;
    x->o = *opts;
    x->command = rel_strdup(opts->command);
    x->o.command = x->command;
    x->term = rel_strdup(opts->term ? opts->term : "xterm");
    x->cols = opts->cols > 0 ? opts->cols : 80;
    x->rows = opts->rows > 0 ? opts->rows : 24;
    rel_buf_init(&x->out, opts->max_output ? opts->max_output : REL_SSH_DEFAULT_MAX_OUTPUT);
    rel_buf_init(&x->err, REL_SSH_STDERR_TAIL * 2);
    rel_buf_init(&x->wq, WRITE_QUEUE_MAX);
    x->in_done = opts->stdin_fd < 0 && !opts->interactive;
    if (opts->stdin_fd >= 0)
        x->inbuf = rel_malloc(UPLOAD_CHUNK);
    x->status = -1;
    x->t0 = rel_ssh_now_ms();
    x->deadline = opts->timeout_ms > 0 ? x->t0 + opts->timeout_ms : 0;
    x->st = X_OPEN;
    const struct rel_remote_event_ops *ops = ev_ops(s);
    if (ops && ops->command_begin)
        ops->command_begin(s->opts.events->ctx, s->label, x->command);
    *out = x;
    return 0;
}

static void keep_tail(struct rel_buf *b, const char *data, size_t len)
{
    if (len >= REL_SSH_STDERR_TAIL) {
        rel_buf_clear(b);
        rel_buf_put(b, data + len - REL_SSH_STDERR_TAIL, REL_SSH_STDERR_TAIL);
        return;
    }
    if (b->len + len > REL_SSH_STDERR_TAIL) {
        size_t drop = b->len + len - REL_SSH_STDERR_TAIL;
        memmove(b->ptr, b->ptr + drop, b->len - drop);
        rel_buf_truncate(b, b->len - drop);
    }
    rel_buf_put(b, data, len);
}

static void exec_progress(struct rel_ssh_exec *x, bool force)
{
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    if (!ops || !ops->progress)
        return;
    int64_t now = rel_ssh_now_ms();
    if (!force && now - x->last_progress < 200)
        return;
    x->last_progress = now;
    ops->progress(x->s->opts.events->ctx, x->s->label, x->sent, x->o.stdin_size,
                  (double)(now - x->t0) / 1000.0);
}

/* Push stdin: the file being streamed or the interactive queue. Returns 1
 * when it made progress, 0 when blocked or idle, <0 on error. */
static int exec_write(struct rel_ssh_exec *x)
{
    int progressed = 0;
    for (;;) {
        const char *data;
        size_t len;
        if (x->o.stdin_fd >= 0) {
            if (x->in_off == x->in_len && !x->in_done) {
                ssize_t n = read(x->o.stdin_fd, x->inbuf, UPLOAD_CHUNK);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n < 0) {
                    rel_error_set_errno(REL_EIO, errno, "%s: reading the data to upload",
                                        x->s->label);
                    return exec_fail(x, REL_EIO);
                }
                x->in_len = (size_t)n;
                x->in_off = 0;
                if (n == 0) {
                    x->in_done = true;
                    exec_progress(x, true);
                }
            }
            data = x->inbuf + x->in_off;
            len = x->in_len - x->in_off;
        } else {
            data = x->wq.ptr;
            len = x->wq.len;
        }
        if (len == 0)
            break;
        ssize_t w = libssh2_channel_write(x->ch, data, len);
        if (w == LIBSSH2_ERROR_EAGAIN) {
            want_io(x->s);
            break;
        }
        if (w < 0)
            return exec_lib_fail(x, (int)w, "sending data to");
        progressed = 1;
        x->sent += (uint64_t)w;
        if (x->o.stdin_fd >= 0) {
            x->in_off += (size_t)w;
            exec_progress(x, false);
        } else {
            memmove(x->wq.ptr, x->wq.ptr + w, x->wq.len - (size_t)w);
            rel_buf_truncate(&x->wq, x->wq.len - (size_t)w);
        }
    }
    bool drained = x->o.stdin_fd >= 0 ? x->in_off == x->in_len : x->wq.len == 0;
    if (x->in_done && drained && !x->eof_sent) {
        int r = libssh2_channel_send_eof(x->ch);
        if (r == LIBSSH2_ERROR_EAGAIN) {
            want_io(x->s);
            return progressed;
        }
        if (r < 0)
            return exec_lib_fail(x, r, "sending end of input to");
        x->eof_sent = true;
        progressed = 1;
    }
    return progressed;
}

/* Drain stdout and stderr. Returns 1 on progress, 0 when blocked, <0 error. */
static int exec_read(struct rel_ssh_exec *x)
{
    int progressed = 0;
    char buf[READ_CHUNK];
    const struct rel_remote_event_ops *ops = ev_ops(x->s);
    for (int stream = 0; stream < 2; stream++) {
        for (;;) {
            ssize_t n = libssh2_channel_read_ex(x->ch, stream ? SSH_EXTENDED_DATA_STDERR : 0, buf,
                                                sizeof(buf));
            if (n == LIBSSH2_ERROR_EAGAIN) {
                want_io(x->s);
                break;
            }
            if (n < 0)
                return exec_lib_fail(x, (int)n, "reading the output of");
            if (n == 0)
                break;
            progressed = 1;
            if (x->o.sink) {
                x->o.sink(x->o.sink_ctx, buf, (size_t)n, stream);
                if (stream)
                    keep_tail(&x->err, buf, (size_t)n);
            } else if (x->o.stream && ops && ops->output) {
                ops->output(x->s->opts.events->ctx, x->s->label, buf, (size_t)n, stream);
                if (stream)
                    keep_tail(&x->err, buf, (size_t)n);
            } else if (stream) {
                keep_tail(&x->err, buf, (size_t)n);
            } else if (rel_buf_put(&x->out, buf, (size_t)n) < 0) {
                rel_error_set(REL_ELIMIT, "%s: output of `%s` exceeds %zu bytes", x->s->label,
                              x->command, x->out.max);
                return exec_fail(x, REL_ELIMIT);
            }
        }
    }
    return progressed;
}

static const struct {
    const char *name;
    int number;
} signal_numbers[] = {
    {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"TRAP", 5},  {"ABRT", 6},
    {"BUS", 7},   {"FPE", 8},   {"KILL", 9},  {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},
    {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15},
};

static void exec_collect_status(struct rel_ssh_exec *x)
{
    char *sig = NULL;
    size_t siglen = 0;
    libssh2_channel_get_exit_signal(x->ch, &sig, &siglen, NULL, NULL, NULL, NULL);
    if (sig && siglen) {
        x->signal = rel_strndup(sig, siglen);
        x->status = 128;
        for (size_t i = 0; i < sizeof(signal_numbers) / sizeof(signal_numbers[0]); i++)
            if (strcmp(x->signal, signal_numbers[i].name) == 0)
                x->status = 128 + signal_numbers[i].number;
    } else {
        x->status = libssh2_channel_get_exit_status(x->ch);
    }
    if (sig)
        libssh2_free(x->s->ssh, sig);
}

int rel_ssh_exec_step(struct rel_ssh_exec *x)
{
    struct rel_ssh_session *s = x->s;
    s->want = 0;
    for (;;) {
        if (x->st == X_DONE)
            return 0;
        if (x->st == X_FAILED)
            return rel_error_set(x->error, "%s", x->error_msg);
        if (s->st == S_DEAD) {
            rel_error_set(s->error, "%s", s->error_msg ? s->error_msg : "connection lost");
            return exec_fail(x, s->error);
        }
        if (x->deadline && rel_ssh_now_ms() > x->deadline) {
            rel_error_set(REL_ESSH, "%s (%s): `%s` timed out after %d s", s->label, s->peer,
                          x->command, x->o.timeout_ms / 1000);
            return exec_fail(x, REL_ESSH);
        }
        switch (x->st) {
        case X_OPEN:
            x->ch = libssh2_channel_open_session(s->ssh);
            if (!x->ch) {
                int e = libssh2_session_last_errno(s->ssh);
                if (e == LIBSSH2_ERROR_EAGAIN) {
                    want_io(s);
                    return REL_SSH_AGAIN;
                }
                return exec_lib_fail(x, e, "opening a channel for");
            }
            x->st = x->o.pty ? X_PTY : X_EXEC;
            break;
        case X_PTY: {
            int r = libssh2_channel_request_pty_ex(x->ch, x->term, (unsigned)strlen(x->term), NULL,
                                                   0, x->cols, x->rows, 0, 0);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "requesting a terminal for");
            x->st = X_EXEC;
            break;
        }
        case X_EXEC: {
            int r = libssh2_channel_exec(x->ch, x->command);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "starting");
            x->st = X_IO;
            break;
        }
        case X_IO: {
            if (x->resize_pending) {
                int r = libssh2_channel_request_pty_size(x->ch, x->cols, x->rows);
                if (r == LIBSSH2_ERROR_EAGAIN) {
                    want_io(s);
                } else {
                    x->resize_pending = false;
                }
            }
            int w = exec_write(x);
            if (w < 0)
                return w;
            int r = exec_read(x);
            if (r < 0)
                return r;
            if (libssh2_channel_eof(x->ch)) {
                x->st = X_CLOSE;
                break;
            }
            if (!w && !r)
                return REL_SSH_AGAIN;
            break;
        }
        case X_CLOSE: {
            int r = libssh2_channel_close(x->ch);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "closing the channel of");
            x->st = X_WAIT_CLOSED;
            break;
        }
        case X_WAIT_CLOSED: {
            /* Output that raced with the close still has to be read. */
            int rd = exec_read(x);
            if (rd < 0)
                return rd;
            int r = libssh2_channel_wait_closed(x->ch);
            if (r == LIBSSH2_ERROR_EAGAIN) {
                want_io(s);
                return REL_SSH_AGAIN;
            }
            if (r < 0)
                return exec_lib_fail(x, r, "waiting for the end of");
            exec_collect_status(x);
            x->st = X_DONE;
            exec_report(x);
            return 0;
        }
        default:
            return REL_SSH_AGAIN;
        }
    }
}

int rel_ssh_exec_status(const struct rel_ssh_exec *x)
{
    return x->status;
}

const char *rel_ssh_exec_signal(const struct rel_ssh_exec *x)
{
    return x->signal;
}

const char *rel_ssh_exec_stdout(const struct rel_ssh_exec *x)
{
    return rel_buf_cstr(&x->out);
}

const char *rel_ssh_exec_stderr(const struct rel_ssh_exec *x)
{
    return rel_buf_cstr(&x->err);
}

uint64_t rel_ssh_exec_sent(const struct rel_ssh_exec *x)
{
    return x->sent;
}

int64_t rel_ssh_exec_elapsed_ms(const struct rel_ssh_exec *x)
{
    return rel_ssh_now_ms() - x->t0;
}

int rel_ssh_exec_write(struct rel_ssh_exec *x, const void *data, size_t len)
{
    if (x->in_done)
        return rel_error_set(REL_EINVAL, "%s: input already closed", x->s->label);
    if (rel_buf_put(&x->wq, data, len) < 0)
        return rel_error_set(REL_ELIMIT, "%s: too much input queued", x->s->label);
    return 0;
}

void rel_ssh_exec_close_stdin(struct rel_ssh_exec *x)
{
    x->in_done = true;
}

void rel_ssh_exec_resize(struct rel_ssh_exec *x, int cols, int rows)
{
    if (cols > 0 && rows > 0 && (cols != x->cols || rows != x->rows)) {
        x->cols = cols;
        x->rows = rows;
        x->resize_pending = true;
    }
}

/* Free a channel: a bounded blocking close on a live session, so freeing
 * never spins and never hangs on a dead peer. */
static void channel_release(struct rel_ssh_session *s, LIBSSH2_CHANNEL *ch)
{
    if (!ch)
        return;
    if (s->st == S_READY) {
        libssh2_session_set_blocking(s->ssh, 1);
        libssh2_session_set_timeout(s->ssh, 2000);
        libssh2_channel_free(ch);
        libssh2_session_set_timeout(s->ssh, 0);
        libssh2_session_set_blocking(s->ssh, 0);
    } else {
        libssh2_channel_free(ch);
    }
}

void rel_ssh_exec_free(struct rel_ssh_exec *x)
{
    if (!x)
        return;
    if (!x->reported && x->st != X_DONE) {
        rel_error_set(REL_ECANCELED, "canceled");
        x->error = REL_ECANCELED;
        x->error_msg = rel_strdup("canceled");
        exec_report(x);
    }
    channel_release(x->s, x->ch);
    free(x->command);
    free(x->term);
    free(x->inbuf);
    free(x->signal);
    free(x->error_msg);
    rel_buf_free(&x->wq);
    rel_buf_free(&x->out);
    rel_buf_free(&x->err);
    free(x);
}

/* ---- TCP probes -------------------------------------------------------- */

struct rel_ssh_probe {
    struct rel_ssh_session *s;
    char *host;
    int port;
    LIBSSH2_CHANNEL *ch;
    int result; /* REL_SSH_AGAIN until known */
    char *what; /* how it shows in the command log */
    int64_t t0;
};

/* Probes are not shell commands, but they are remote actions: they show in
 * the command log like one, with status 0 (open) or 1 (nothing listens). */
static void probe_report(struct rel_ssh_probe *p)
{
    const struct rel_remote_event_ops *ops = ev_ops(p->s);
    if (!ops || !ops->command_end)
        return;
    struct rel_remote_command c = {
        .host = p->s->label,
        .command = p->what,
        .exit_status = p->result == 0 ? 0 : p->result == REL_ENOTFOUND ? 1 : -1,
        .error = p->result < 0 && p->result != REL_ENOTFOUND ? rel_error_message() : NULL,
        .stderr_tail = p->result == REL_ENOTFOUND ? rel_error_message() : "",
        .seconds = (double)(rel_ssh_now_ms() - p->t0) / 1000.0,
    };
    ops->command_end(p->s->opts.events->ctx, &c);
}

int rel_ssh_probe_start(struct rel_ssh_probe **out, struct rel_ssh_session *s, const char *host,
                        int port)
{
    *out = NULL;
    if (s->st != S_READY)
        return rel_error_set(REL_ESSH, "%s (%s): not connected", s->label, s->peer);
    struct rel_ssh_probe *p = rel_calloc(1, sizeof(*p));
    p->s = s;
    p->host = rel_strdup(host);
    p->port = port;
    p->result = REL_SSH_AGAIN;
    p->what = rel_asprintf("[tcp connect %s:%d through the ssh connection]", host, port);
    p->t0 = rel_ssh_now_ms();
    const struct rel_remote_event_ops *ops = ev_ops(s);
    if (ops && ops->command_begin)
        ops->command_begin(s->opts.events->ctx, s->label, p->what);
    *out = p;
    return 0;
}

int rel_ssh_probe_step(struct rel_ssh_probe *p)
{
    struct rel_ssh_session *s = p->s;
    if (p->result != REL_SSH_AGAIN)
        return p->result;
    s->want = 0;
    if (s->st == S_DEAD)
        return p->result = rel_error_set(s->error, "%s", s->error_msg);
    p->ch = libssh2_channel_direct_tcpip_ex(s->ssh, p->host, p->port, "127.0.0.1", 0);
    if (p->ch) {
        p->result = 0;
        probe_report(p);
        return 0;
    }
    int e = libssh2_session_last_errno(s->ssh);
    if (e == LIBSSH2_ERROR_EAGAIN) {
        want_io(s);
        return REL_SSH_AGAIN;
    }
    if (e == LIBSSH2_ERROR_CHANNEL_FAILURE) {
        char *detail = NULL;
        libssh2_session_last_error(s->ssh, &detail, NULL, 0);
        bool prohibited = detail && strstr(detail, "prohibited");
        p->result = rel_error_set(
            REL_ENOTFOUND, "%s: nothing answers on %s:%d%s", s->label, p->host, p->port,
            prohibited ? " (the server forbids TCP forwarding: AllowTcpForwarding)" : "");
    } else {
        p->result = ssh_error(s, e, "probing a TCP port");
    }
    int rc = p->result;
    char *msg = rel_strdup(rel_error_message());
    probe_report(p);
    rel_error_set(rc, "%s", msg); /* in case the event sink touched it */
    free(msg);
    return rc;
}

void rel_ssh_probe_free(struct rel_ssh_probe *p)
{
    if (!p)
        return;
    channel_release(p->s, p->ch);
    free(p->host);
    free(p->what);
    free(p);
}

/* ---- blocking convenience ---------------------------------------------- */

int rel_ssh_session_step_cb(void *session)
{
    return rel_ssh_session_step(session);
}

int rel_ssh_exec_step_cb(void *exec)
{
    return rel_ssh_exec_step(exec);
}

int rel_ssh_probe_step_cb(void *probe)
{
    return rel_ssh_probe_step(probe);
}

int rel_ssh_drive(struct rel_ssh_session *s, int (*step)(void *obj), void *obj)
{
    for (;;) {
        int rc = step(obj);
        if (rc != REL_SSH_AGAIN)
            return rc;
        struct pollfd pfd;
        int n = rel_ssh_session_pollfd(s, &pfd);
        int timeout = 1000;
        int64_t deadline = rel_ssh_session_deadline(s);
        if (deadline) {
            int64_t left = deadline - rel_ssh_now_ms();
            if (left < timeout)
                timeout = left > 0 ? (int)left : 0;
        }
        if (poll(n ? &pfd : NULL, (nfds_t)n, timeout) < 0 && errno != EINTR)
            return rel_error_set_errno(REL_EIO, errno, "poll");
    }
}
