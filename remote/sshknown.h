/*
 * sshknown.h - known_hosts files read the way OpenSSH reads them (sshd(8),
 * "SSH_KNOWN_HOSTS FILE FORMAT"), without libssh2's knownhost API, which
 * ignores @revoked, lets a `host` entry answer for `[host]:port`, knows
 * nothing of negated patterns and reads one file only.
 *
 * A lookup name is "host" for port 22 and "[host]:port" otherwise (or the
 * HostKeyAlias, used as it is); it is lower-cased. A line applies when its
 * host field matches the name: a comma-separated list of patterns with `*`
 * and `?`, where a matching `!pattern` excludes the line whatever else
 * matches, or one hashed name `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
 *
 * Several files are read as one set, in order (the UserKnownHostsFile list,
 * then GlobalKnownHostsFile): a key is trusted when any applicable plain line
 * holds it, changed when applicable lines hold other keys of its type only,
 * revoked when an applicable `@revoked` line holds it (whatever else says),
 * and "CA only" when nothing pins a plain key but a `@cert-authority` line
 * applies (libssh2 1.10 cannot check host certificates: the caller refuses).
 * New keys are appended to the first file.
 */
#ifndef REL_SSHKNOWN_H
#define REL_SSHKNOWN_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;

enum rel_sshknown_marker { REL_SSHKNOWN_PLAIN, REL_SSHKNOWN_REVOKED, REL_SSHKNOWN_CA };

/* One applicable line. */
struct rel_sshknown_entry {
    enum rel_sshknown_marker marker;
    const char *file;    /* points into rel_sshknown.files */
    int line;            /* 1-based */
    char type[64];       /* key type field, "ssh-ed25519" */
    unsigned char *blob; /* decoded key */
    size_t len;
};

struct rel_sshknown {
    char *name; /* the lookup name */
    char **files;
    size_t nfiles;
    struct rel_sshknown_entry *entries;
    size_t nentries;
};

enum rel_sshknown_status {
    REL_SSHKNOWN_NEW,     /* nothing applies */
    REL_SSHKNOWN_OK,      /* a plain line holds this key */
    REL_SSHKNOWN_CHANGED, /* plain lines hold other keys of this type */
    REL_SSHKNOWN_REVOKED_KEY,
    REL_SSHKNOWN_CA_ONLY, /* only @cert-authority lines apply */
};

/* The lookup name for host:port, lower-cased ("host" when port is 22).
 * Caller frees. */
char *rel_sshknown_name(const char *host, int port);

/*
 * Read the lines of `files` (NULL-terminated; missing files are fine) that
 * apply to `name` into `*kh` (zeroed first; free with rel_sshknown_free).
 * Lines that cannot be parsed are skipped, as OpenSSH does. Returns 0, or
 * REL_EIO / REL_ELIMIT for a file that exists but cannot be read (each file
 * is capped at 4 MiB), with the file named.
 */
int rel_sshknown_load(struct rel_sshknown *kh, const char *const *files, const char *name);
void rel_sshknown_free(struct rel_sshknown *kh);

/* Judge the server's key `blob` of `type`. *hit (may be NULL) is set to the
 * line that decided: the matching, revoked, CA or (CHANGED) first other key. */
enum rel_sshknown_status rel_sshknown_check(const struct rel_sshknown *kh, const char *type,
                                            const unsigned char *blob, size_t len,
                                            const struct rel_sshknown_entry **hit);

/* Does the host field `field` (patterns or one hashed name) apply to
 * `name` (lower-case)? Exposed for tests. */
bool rel_sshknown_match(const char *field, size_t len, const char *name);

/* "|1|salt|hash" for name; salt is 20 bytes, or NULL for random ones. */
int rel_sshknown_hash(struct rel_buf *out, const char *name, const unsigned char *salt);

/*
 * Append "NAME TYPE BASE64" (NAME hashed when `hash`) to `file`, creating it
 * and its directory (0700) when missing: read again, append, write a temp
 * file and rename, keeping the file's mode. Returns 0 or a negative code
 * with the message set.
 */
int rel_sshknown_append(const char *file, const char *name, bool hash, const char *type,
                        const unsigned char *blob, size_t len);

#endif
