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
#include "core/shell.h"

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

int rel_ssh_fingerprint(struct rel_buf *out, const unsigned char *blob, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(blob, len, md, &md_len, EVP_sha256(), NULL))
        return rel_error_set(REL_EIO, "SHA256 failed");
    rel_buf_puts(out, "SHA256:");
    rel_ssh_base64_put(out, md, md_len, false);
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
    int hostkey_type;    /* LIBSSH2_HOSTKEY_TYPE_* */
    const char *name;    /* key type as written in known_hosts */
    const char *methods; /* host key algorithms to prefer when pinned */
} key_types[] = {
    {LIBSSH2_HOSTKEY_TYPE_ED25519, "ssh-ed25519", "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, "ssh-rsa", "rsa-sha2-512,rsa-sha2-256,ssh-rsa"},
};
#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

/* Every UserKnownHostsFile, then every GlobalKnownHostsFile, as OpenSSH
 * reads them (sshknown.h); relman.yml's known_hosts replaces the first
 * list (sshconfig.c). */
int rel_ssh_load_known_hosts(struct rel_ssh_session *s)
{
    size_t n = 0;
    const char *files[2 * REL_SSHCONFIG_MAX_IDENTITIES + 2];
    for (char **v = s->ep.user_known_hosts; v && *v && n < REL_SSHCONFIG_MAX_IDENTITIES; v++)
        files[n++] = *v;
    if (n == 0)
        files[n++] = s->ep.known_hosts;
    for (char **v = s->ep.global_known_hosts; v && *v && n < 2 * REL_SSHCONFIG_MAX_IDENTITIES; v++)
        files[n++] = *v;
    files[n] = NULL;
    int rc = rel_sshknown_load(&s->known, files, s->kh_name);
    if (rc < 0)
        return rel_ssh_fail(s, REL_EHOSTKEY, "%s", rel_error_message());
    return 0;
}

/*
 * Prefer the host key types known_hosts already holds for this host, so a
 * server with several keys presents the one we can check.
 */
int rel_ssh_pin_host_key_types(struct rel_ssh_session *s)
{
    struct rel_buf methods = REL_BUF_INIT;
    for (size_t i = 0; i < N_KEY_TYPES; i++) {
        bool pinned = false;
        for (size_t e = 0; e < s->known.nentries && !pinned; e++)
            pinned = s->known.entries[e].marker == REL_SSHKNOWN_PLAIN &&
                     strcmp(s->known.entries[e].type, key_types[i].name) == 0;
        if (pinned) {
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

/* The command that removes kh_name's lines from `file`, quoted for pasting. */
static void fix_command(struct rel_buf *out, struct rel_ssh_session *s, const char *file)
{
    rel_buf_puts(out, "ssh-keygen -R ");
    rel_shell_quote(out, s->kh_name);
    rel_buf_puts(out, " -f ");
    rel_shell_quote(out, file);
}

static int refuse_changed(struct rel_ssh_session *s, const char *type, const char *fp,
                          const struct rel_sshknown_entry *old)
{
    struct rel_buf oldfp = REL_BUF_INIT, fix = REL_BUF_INIT;
    rel_ssh_fingerprint(&oldfp, old->blob, old->len);
    fix_command(&fix, s, old->file);
    int rc = rel_ssh_fail(s, REL_EHOSTKEY,
                          "HOST KEY CHANGED: %s:%d holds %s %s for %s, the server presented "
                          "%s %s; refusing to connect under every policy (if the change is "
                          "expected, remove the old key: %s)",
                          old->file, old->line, old->type, rel_buf_cstr(&oldfp), s->kh_name, type,
                          fp, rel_buf_cstr(&fix));
    rel_buf_free(&oldfp);
    rel_buf_free(&fix);
    return rc;
}

/* An unknown host under the session's policy: add its key or refuse. */
static int unknown_host(struct rel_ssh_session *s, const char *type, const char *fp,
                        const unsigned char *key, size_t keylen)
{
    struct rel_ssh_hostkey info = {.label = s->label, .host = s->kh_name, .key_type = type,
                                   .fingerprint = fp, .known_hosts = s->ep.known_hosts};
    if (s->opts.policy == REL_SSH_POLICY_STRICT)
        return rel_ssh_fail(s, REL_EHOSTKEY,
                            "unknown host key %s %s for %s: not in %s and the host key policy is "
                            "strict; add the key to known_hosts (after checking the fingerprint) "
                            "or use policy accept-new",
                            type, fp, s->kh_name, s->ep.known_hosts);
    if (s->opts.policy == REL_SSH_POLICY_ASK) {
        if (!s->opts.prompts || !s->opts.prompts->confirm_hostkey)
            return rel_ssh_fail(s, REL_EHOSTKEY,
                                "unknown host key %s %s for %s and no way to ask (policy ask "
                                "needs a terminal); add it to %s or use policy accept-new",
                                type, fp, s->kh_name, s->ep.known_hosts);
        int answer = s->opts.prompts->confirm_hostkey(s->opts.prompt_ctx, &info);
        rel_ssh_after_prompt(s);
        if (answer < 0)
            return rel_ssh_fail(s, answer, "host key confirmation failed: %s",
                                rel_error_message());
        if (answer == 0)
            return rel_ssh_fail(s, REL_EHOSTKEY, "host key %s %s for %s refused", type, fp,
                                s->kh_name);
    }
    int rc = rel_sshknown_append(s->ep.known_hosts, s->kh_name, s->ep.hash_known_hosts, type,
                                 key, keylen);
    if (rc < 0) {
        rel_error_prefix("%s: cannot add the host key to known_hosts", s->label);
        rel_ssh_die(s, rc);
        return rc;
    }
    rel_ssh_note(s, "added host key %s %s for %s to %s%s", type, fp, s->kh_name, s->ep.known_hosts,
                 s->ep.hash_known_hosts ? " (name hashed: HashKnownHosts)" : "");
    return 0;
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
    const unsigned char *blob = (const unsigned char *)key;
    const char *tname = key_types[t].name;
    struct rel_buf fp = REL_BUF_INIT;
    rel_ssh_fingerprint(&fp, blob, keylen);
    const struct rel_sshknown_entry *hit = NULL;
    int rc = 0;
    switch (rel_sshknown_check(&s->known, tname, blob, keylen, &hit)) {
    case REL_SSHKNOWN_OK: break;
    case REL_SSHKNOWN_REVOKED_KEY:
        rc = rel_ssh_fail(s, REL_EHOSTKEY,
                          "REVOKED HOST KEY: %s:%d marks %s %s of %s as @revoked; refusing to "
                          "connect under every policy (the key may be stolen and used to "
                          "impersonate the host)",
                          hit->file, hit->line, tname, rel_buf_cstr(&fp), s->kh_name);
        break;
    case REL_SSHKNOWN_CHANGED: rc = refuse_changed(s, tname, rel_buf_cstr(&fp), hit); break;
    case REL_SSHKNOWN_CA_ONLY:
        /* libssh2 1.10 negotiates no *-cert-v01 host key algorithms, so the
         * certificate cannot be checked; pinning the plain key instead would
         * quietly replace the CA's judgement with trust on first use. */
        rc = rel_ssh_fail(s, REL_EHOSTKEY,
                          "host certificates cannot be checked: %s:%d trusts a @cert-authority "
                          "for %s, but libssh2 cannot verify host certificates; refusing the "
                          "plain key %s %s under every policy (after checking it, add it to %s "
                          "as a plain line)",
                          hit->file, hit->line, s->kh_name, tname, rel_buf_cstr(&fp),
                          s->ep.known_hosts);
        break;
    case REL_SSHKNOWN_NEW: rc = unknown_host(s, tname, rel_buf_cstr(&fp), blob, keylen); break;
    }
    rel_buf_free(&fp);
    return rc;
}

/* ---- why a key exchange failed -------------------------------------------- */

int rel_ssh_kexinit_hostkeys(const unsigned char *data, size_t len, struct rel_buf *out)
{
    /* Lines before the binary packets: the banner "SSH-2.0-..." and any
     * text a server may send first (RFC 4253, 4.2). */
    const unsigned char *p = data, *end = data + len;
    for (;;) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return -1;
        bool banner = end - p >= 4 && memcmp(p, "SSH-", 4) == 0;
        p = nl + 1;
        if (banner)
            break;
    }
    /* uint32 packet_length, byte padding_length, payload: KEXINIT (20),
     * a 16-byte cookie, name-list kex_algorithms, name-list host keys */
    if (end - p < 5 + 1 + 16)
        return -1;
    uint32_t plen = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    if (plen > (uint32_t)(end - p) - 4 || p[5] != 20)
        return -1;
    const unsigned char *q = p + 6 + 16, *pend = p + 4 + plen, *s;
    size_t n;
    if (wire_string(&q, pend, &s, &n) < 0 || wire_string(&q, pend, &s, &n) < 0)
        return -1;
    rel_buf_put(out, s, n);
    return 0;
}

/* Is `name` in the comma-separated `list`? */
static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

char *rel_ssh_kex_diagnose(const struct rel_ssh_session *s)
{
    struct rel_buf offered = REL_BUF_INIT;
    char *why = NULL;
    if (!s->rx_head.ptr ||
        rel_ssh_kexinit_hostkeys((const unsigned char *)s->rx_head.ptr, s->rx_head.len,
                                 &offered) < 0)
        goto cleanup;
    const char *list = rel_buf_cstr(&offered);
    for (size_t i = 0; i < N_KEY_TYPES; i++)
        if (in_list(list, key_types[i].name))
            goto cleanup; /* a host key type in common: not the cause */
    if (in_list(list, "rsa-sha2-512") || in_list(list, "rsa-sha2-256"))
        why = rel_asprintf(
            "the server has only an RSA host key and signs with it only as rsa-sha2-512/256 (it "
            "offers %s), while libssh2 %s checks RSA host keys only as ssh-rsa (SHA-1); give the "
            "server an ed25519 host key (ssh-keygen -t ed25519 -f /etc/ssh/ssh_host_ed25519_key "
            "and a HostKey line in sshd_config) or use libssh2 1.11 or later",
            list, libssh2_version(0));
    else
        why = rel_asprintf("no host key type in common: the server offers %s; libssh2 %s checks "
                           "ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa",
                           list, libssh2_version(0));
cleanup:
    rel_buf_free(&offered);
    return why;
}
