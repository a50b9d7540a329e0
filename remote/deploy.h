/*
 * deploy.h - ship a release tarball to targets and switch them over, safely.
 *
 * Per host (a runner operation, so many hosts progress at once):
 *
 *   lock      mkdir PATH/shared/lock (+ info: who, when, what); a held lock
 *             is REL_ELOCKED naming its holder
 *   inspect   current/previous links, installed releases, tarball present?
 *             When `current` holds this very tarball (the checksum unpack
 *             wrote into it, .relman-sha256) and its node runs, the host
 *             already runs it: audit, unlock, outcome "already running" (no
 *             upload, no new directory, no restart) -- unless opts.force.
 *   upload    stream the tarball into shared/tarballs/SHA.tar.gz.part-STAMP,
 *             check its sha256 there, rename; skipped when SHA.tar.gz is
 *             already there with that checksum
 *   unpack    into a fresh releases/.tmp-VSN-STAMP, check it (bin/NAME,
 *             releases/VSN, `bin/NAME version`), rename to releases/VSN-STAMP
 *   switch    ln -s + mv -T: `previous` and `current` replaced atomically
 *   restart   `bin/NAME stop` on the old release (waiting for its VM to exit),
 *             `bin/NAME daemon` on the new one, with the target's env
 *   health    `bin/NAME pid` answers and the TCP port (deploy.health.tcp)
 *             accepts connections, within deploy.health.timeout
 *   on failure after the switch: stop the new node, switch both links back,
 *             start the old release again (if it was running)
 *   cleanup   keep the newest `keep` releases (never current or previous)
 *             and as many tarballs
 *   audit     one line in PATH/shared/audit.log and in the local audit file
 *             (audit.h)
 *   unlock
 *
 * A failure before the switch (upload cut, bad tarball) leaves the running
 * release untouched: temporary files are removed and the lock released,
 * reconnecting if the connection was lost; when even that fails the error
 * says where the lock was left.
 */
#ifndef REL_DEPLOY_H
#define REL_DEPLOY_H

#include <stdbool.h>
#include <stdint.h>

struct rel_job;
struct rel_remote_events;
struct rel_remote_target;
struct rel_runner;

struct rel_deploy_opts {
    const char *tarball;     /* the release tarball (mix's or relman's) */
    const char *release;     /* release name: the tarball must hold bin/RELEASE */
    int keep;                /* releases kept per host (>= 2 is sensible; min 1) */
    int health_tcp;          /* 0: no TCP check */
    int health_timeout;      /* seconds */
    bool force;              /* deploy even when the host already runs this tarball */
    const char *audit_file;  /* local audit log to append to, or NULL */
    const struct rel_remote_events *events; /* step events (may be NULL) */
};

struct rel_deploy;

/*
 * Inspect the tarball (sha256, size, version from releases/start_erl.data,
 * bin/RELEASE present, no unsafe entries) and prepare a deploy run. Errors
 * name the tarball.
 */
int rel_deploy_new(struct rel_deploy **out, const struct rel_deploy_opts *opts);

const char *rel_deploy_version(const struct rel_deploy *d);
const char *rel_deploy_sha256(const struct rel_deploy *d);
uint64_t rel_deploy_size(const struct rel_deploy *d);
/* "VSN-STAMP": the directory name the release gets on every host. */
const char *rel_deploy_dirname(const struct rel_deploy *d);

/* Add a host to `r`. `d` and `t` must outlive the runner. */
void rel_deploy_add(struct rel_deploy *d, struct rel_runner *r, const struct rel_remote_target *t);

/* What happened on a finished host: "deployed", "already running",
 * "rolled back", "failed", "not started". */
const char *rel_deploy_outcome(const struct rel_job *j);

/* Where `current` pointed before this run on that host ("releases/X"), or
 * NULL (none, or not known: the host did not get that far). */
const char *rel_deploy_previous(const struct rel_job *j);

void rel_deploy_free(struct rel_deploy *d);

#endif
