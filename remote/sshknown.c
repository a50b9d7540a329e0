/*
 * sshknown.c - known_hosts files as OpenSSH reads them (see sshknown.h).
 */
#include "sshknown.h"

#include "sshsession.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SALT_LEN 20 /* SHA-1's size, as OpenSSH uses */

char *rel_sshknown_name(const char *host, int port)
{
    char *name = port == 22 || port <= 0 ? rel_strdup(host) : rel_asprintf("[%s]:%d", host, port);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return name;
}

/* Glob match of name against pat[0..plen): `*` any run, `?` one character,
 * case-insensitive. */
static bool glob(const char *pat, size_t plen, const char *name)
{
    if (plen == 0)
        return *name == '\0';
    if (*pat == '*') {
        for (const char *n = name;; n++) {
            if (glob(pat + 1, plen - 1, n))
                return true;
            if (!*n)
                return false;
        }
    }
    if (!*name)
        return false;
    if (*pat != '?' && tolower((unsigned char)*pat) != tolower((unsigned char)*name))
        return false;
    return glob(pat + 1, plen - 1, name + 1);
}

int rel_sshknown_hash(struct rel_buf *out, const char *name, const unsigned char *salt)
{
    unsigned char rnd[SALT_LEN], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!salt) {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1)
            return rel_error_set(REL_EIO, "no random bytes for a hashed known_hosts name");
        salt = rnd;
    }
    if (!HMAC(EVP_sha1(), salt, SALT_LEN, (const unsigned char *)name, strlen(name), md, &mdlen))
        return rel_error_set(REL_EIO, "HMAC-SHA1 failed");
    rel_buf_puts(out, "|1|");
    rel_ssh_base64_put(out, salt, SALT_LEN, true);
    rel_buf_putc(out, '|');
    rel_ssh_base64_put(out, md, mdlen, true);
    return 0;
}

/* A hashed field "|1|salt|hash" applies to name when HMAC-SHA1(salt, name)
 * is hash. */
static bool hashed_match(const char *field, size_t len, const char *name)
{
    char *f = rel_strndup(field + 3, len - 3);
    char *bar = strchr(f, '|');
    bool ok = false;
    if (bar) {
        *bar = '\0';
        size_t slen = 0;
        unsigned char *salt = rel_ssh_base64_decode(f, &slen);
        if (salt && slen == SALT_LEN) {
            struct rel_buf mine = REL_BUF_INIT;
            if (rel_sshknown_hash(&mine, name, salt) == 0)
                ok = mine.len == len && memcmp(mine.ptr, field, len) == 0;
            rel_buf_free(&mine);
        }
        free(salt);
    }
    free(f);
    return ok;
}

bool rel_sshknown_match(const char *field, size_t len, const char *name)
{
    if (len > 3 && strncmp(field, "|1|", 3) == 0)
        return hashed_match(field, len, name);
    /* OpenSSH's match_hostname(): a negated pattern that matches wins. */
    bool positive = false;
    const char *p = field, *end = field + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        bool neg = *p == '!';
        const char *pat = p + neg;
        if (stop > pat && glob(pat, (size_t)(stop - pat), name)) {
            if (neg)
                return false;
            positive = true;
        }
        p = comma ? comma + 1 : end;
    }
    return positive;
}

static size_t field_len(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && *q != ' ' && *q != '\t')
        q++;
    return (size_t)(q - p);
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Parse one line; add it to kh when it applies to kh->name. */
static void load_line(struct rel_sshknown *kh, const char *file, int lineno, const char *p,
                      const char *end)
{
    while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    p = skip_blanks(p, end);
    if (p == end || *p == '#')
        return;
    enum rel_sshknown_marker marker = REL_SSHKNOWN_PLAIN;
    if (*p == '@') {
        size_t n = field_len(p, end);
        if (n == 8 && strncmp(p, "@revoked", 8) == 0)
            marker = REL_SSHKNOWN_REVOKED;
        else if (n == 15 && strncmp(p, "@cert-authority", 15) == 0)
            marker = REL_SSHKNOWN_CA;
        else
            return; /* an unknown marker: OpenSSH skips the line */
        p = skip_blanks(p + n, end);
    }
    size_t hlen = field_len(p, end);
    const char *hosts = p;
    p = skip_blanks(p + hlen, end);
    size_t tlen = field_len(p, end);
    const char *type = p;
    p = skip_blanks(p + tlen, end);
    size_t klen = field_len(p, end);
    if (!hlen || !tlen || !klen || tlen >= sizeof(kh->entries[0].type) ||
        !rel_sshknown_match(hosts, hlen, kh->name))
        return;
    char *b64 = rel_strndup(p, klen);
    size_t len = 0;
    unsigned char *blob = rel_ssh_base64_decode(b64, &len);
    free(b64);
    if (!blob)
        return;
    kh->entries = rel_reallocarray(kh->entries, kh->nentries + 1, sizeof(*kh->entries));
    struct rel_sshknown_entry *e = &kh->entries[kh->nentries++];
    memset(e, 0, sizeof(*e));
    e->marker = marker;
    e->file = file;
    e->line = lineno;
    memcpy(e->type, type, tlen);
    e->type[tlen] = '\0';
    e->blob = blob;
    e->len = len;
}

int rel_sshknown_load(struct rel_sshknown *kh, const char *const *files, const char *name)
{
    memset(kh, 0, sizeof(*kh));
    kh->name = rel_strdup(name);
    size_t n = 0;
    while (files && files[n])
        n++;
    kh->files = rel_calloc(n + 1, sizeof(char *));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *file = kh->files[kh->nfiles++] = rel_strdup(files[i]);
        struct rel_buf text = REL_BUF_INIT;
        rel_buf_init(&text, KNOWN_HOSTS_MAX);
        rc = rel_fs_read_file(&text, file, KNOWN_HOSTS_MAX);
        if (rc == REL_ENOTFOUND) {
            rel_error_clear();
            rc = 0;
        } else if (rc < 0) {
            rel_error_prefix("cannot read known hosts %s", file);
        } else {
            const char *p = text.ptr ? text.ptr : "", *end = p + text.len;
            for (int line = 1; p < end; line++) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *stop = nl ? nl : end;
                load_line(kh, file, line, p, stop);
                p = nl ? nl + 1 : end;
            }
        }
        rel_buf_free(&text);
    }
    return rc;
}

void rel_sshknown_free(struct rel_sshknown *kh)
{
    if (!kh)
        return;
    for (size_t i = 0; i < kh->nentries; i++)
        free(kh->entries[i].blob);
    free(kh->entries);
    for (size_t i = 0; i < kh->nfiles; i++)
        free(kh->files[i]);
    free(kh->files);
    free(kh->name);
    memset(kh, 0, sizeof(*kh));
}

enum rel_sshknown_status rel_sshknown_check(const struct rel_sshknown *kh, const char *type,
                                            const unsigned char *blob, size_t len,
                                            const struct rel_sshknown_entry **hit)
{
    const struct rel_sshknown_entry *ok = NULL, *changed = NULL, *ca = NULL;
    for (size_t i = 0; i < kh->nentries; i++) {
        const struct rel_sshknown_entry *e = &kh->entries[i];
        bool same = e->len == len && memcmp(e->blob, blob, len) == 0;
        switch (e->marker) {
        case REL_SSHKNOWN_REVOKED:
            if (same) {
                if (hit)
                    *hit = e;
                return REL_SSHKNOWN_REVOKED_KEY;
            }
            break;
        case REL_SSHKNOWN_CA:
            if (!ca)
                ca = e;
            break;
        case REL_SSHKNOWN_PLAIN:
            if (same && !ok)
                ok = e;
            else if (!same && !changed && strcmp(e->type, type) == 0)
                changed = e;
            break;
        }
    }
    const struct rel_sshknown_entry *h = ok ? ok : changed ? changed : ca;
    if (hit)
        *hit = h;
    return ok        ? REL_SSHKNOWN_OK
           : changed ? REL_SSHKNOWN_CHANGED
           : ca      ? REL_SSHKNOWN_CA_ONLY
                     : REL_SSHKNOWN_NEW;
}

int rel_sshknown_append(const char *file, const char *name, bool hash, const char *type,
                        const unsigned char *blob, size_t len)
{
    struct rel_buf data = REL_BUF_INIT;
    int rc = 0;
    char *dir = rel_path_dirname(file);
    mode_t mode = 0644;
    struct stat st;
    if (stat(file, &st) == 0)
        mode = st.st_mode & 07777;
    if (!rel_fs_is_dir(dir) && (rc = rel_fs_mkdirs(dir, 0700)) < 0)
        goto cleanup;
    /* Read the file again: other sessions of this run (many hosts connect at
     * once) may have added their keys since this one loaded it. */
    rel_buf_init(&data, KNOWN_HOSTS_MAX + 4096);
    rc = rel_fs_read_file(&data, file, KNOWN_HOSTS_MAX);
    if (rc == REL_ENOTFOUND) {
        rel_error_clear();
        rc = 0;
    }
    if (rc < 0)
        goto cleanup;
    if (data.len && data.ptr[data.len - 1] != '\n')
        rel_buf_putc(&data, '\n');
    if (hash)
        rc = rel_sshknown_hash(&data, name, NULL);
    else
        rel_buf_puts(&data, name);
    if (rc < 0)
        goto cleanup;
    rel_buf_printf(&data, " %s ", type);
    rel_ssh_base64_put(&data, blob, len, true);
    rel_buf_putc(&data, '\n');
    rc = rel_fs_write_atomic(file, data.ptr, data.len, mode);
cleanup:
    free(dir);
    rel_buf_free(&data);
    return rc;
}
