/*
 * sshkeys.c - keys: the server's host key checked against known_hosts
 * (before anything is sent in the user's name), OpenSSH fingerprints, and
 * what a private key file is (see ssh.h, sshsession.h).
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
unsigned char *rel_ssh_base64_decode(const char *in, size_t *out_len)
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
void rel_ssh_blob_type(const unsigned char *blob, size_t len, char *type, size_t size)
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
        unsigned char *raw = rel_ssh_base64_decode(rel_buf_cstr(&b64), &len);
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
                        rel_ssh_blob_type(key, keyn, type, type_size);
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
int rel_ssh_load_known_hosts(struct rel_ssh_session *s)
{
    s->kh = libssh2_knownhost_init(s->ssh);
    if (!s->kh)
        return rel_ssh_error(s, LIBSSH2_ERROR_ALLOC, "known_hosts");
    int rc = rel_fs_read_file(&s->kh_text, s->ep.known_hosts, KNOWN_HOSTS_MAX);
    if (rc == REL_ENOTFOUND) {
        rel_error_clear();
        return 0;
    }
    if (rc < 0)
        return rel_ssh_fail(s, REL_EHOSTKEY, "cannot read known hosts: %s", rel_error_message());
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
int rel_ssh_pin_host_key_types(struct rel_ssh_session *s)
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
            rc = rel_ssh_error(s, r, "setting host key algorithms");
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

int rel_ssh_check_host_key(struct rel_ssh_session *s)
{
    size_t keylen = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(s->ssh, &keylen, &type);
    if (!key)
        return rel_ssh_error(s, libssh2_session_last_errno(s->ssh), "reading the host key");
    size_t t = 0;
    while (t < N_KEY_TYPES && key_types[t].hostkey_type != type)
        t++;
    if (t == N_KEY_TYPES)
        return rel_ssh_fail(s, REL_EHOSTKEY, "unsupported host key type %d; refusing to connect",
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
        unsigned char *old =
            known && known->key ? rel_ssh_base64_decode(known->key, &oldlen) : NULL;
        if (old)
            rel_ssh_fingerprint(&oldfp, old, oldlen);
        else
            rel_buf_puts(&oldfp, "(unreadable)");
        int line = known && known->key ? known_hosts_line(s, known->key) : 0;
        rc = rel_ssh_fail(s, REL_EHOSTKEY,
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
                rc = rel_ssh_fail(s, REL_EHOSTKEY,
                                  "unknown host key %s %s for %s and no way to ask (policy ask "
                                  "needs a terminal); add it to %s or use policy accept-new",
                                  key_types[t].name, rel_buf_cstr(&fp), s->kh_name,
                                  s->ep.known_hosts);
                break;
            }
            int answer = s->opts.prompts->confirm_hostkey(s->opts.prompt_ctx, &info);
            rel_ssh_after_prompt(s);
            if (answer < 0) {
                rc = rel_ssh_fail(s, answer, "host key confirmation failed: %s",
                                  rel_error_message());
                break;
            }
            if (answer == 0) {
                rc = rel_ssh_fail(s, REL_EHOSTKEY, "host key %s %s for %s refused", key_types[t].name,
                                  rel_buf_cstr(&fp), s->kh_name);
                break;
            }
            accept = true;
        } else {
            rc = rel_ssh_fail(s, REL_EHOSTKEY,
                              "unknown host key %s %s for %s: not in %s and the host key policy is "
                              "strict; add the key to known_hosts (after checking the fingerprint) "
                              "or use policy accept-new",
                              key_types[t].name, rel_buf_cstr(&fp), s->kh_name, s->ep.known_hosts);
            break;
        }
        if (accept) {
            rc = remember_host_key(s, key_types[t].name, key, keylen);
            if (rc < 0)
                rel_ssh_die(s, rc);
            else
                rel_ssh_note(s, "added host key %s %s for %s to %s", key_types[t].name,
                             rel_buf_cstr(&fp), s->kh_name, s->ep.known_hosts);
        }
        break;
    }
    default:
        rc = rel_ssh_fail(s, REL_EHOSTKEY, "cannot check the host key against %s",
                          s->ep.known_hosts);
    }
    rel_buf_free(&fp);
    return rc;
}

