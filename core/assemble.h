/*
 * assemble.h - apply a plan (core/plan.h): build the release tree beside its
 * final path, then swap it into place.
 *
 * The contract, which the SIGKILL test checks: at every moment the final
 * path holds either the previous release or the new one, complete, never a
 * mix. How:
 *   1. take a lock (PARENT/.BASE.relman-lock, flock) so two assemblies of
 *      one path cannot interleave; clear what a killed run left beside the
 *      path (restoring the previous release if a kill hit between the two
 *      renames of step 5's fallback);
 *   2. build the whole tree in a fresh directory beside the final path
 *      (PARENT/.BASE.relman-new-PID), file by file, from the plan;
 *      a file whose source is unchanged since the previous assembly (same
 *      device, inode, size, mtime, mode and strip settings, as recorded in
 *      the previous release's .relman/manifest, and the previous output
 *      itself untouched) is hard-linked from the previous release instead
 *      of being copied or stripped again;
 *   3. carry over what the previous release holds and the plan does not
 *      make (other release versions, their libraries, the COOKIE), as mix
 *      leaves them in place; the version being built is replaced whole;
 *   4. write the manifest, flush the new tree to disk (syncfs);
 *   5. move tmp/ (logs, pipes of a running daemon) across, then exchange the
 *      two directories with one renameat2(RENAME_EXCHANGE) and delete the
 *      old tree. Where the file system cannot exchange, the previous
 *      release is renamed aside first and the new one renamed into place (a
 *      kill between the two leaves no release at the path; the next run
 *      restores the previous one).
 * Any error before step 5 removes the new tree and leaves the final path as
 * it was.
 *
 * The steps around assembly (tar, hooks) run by rel_assemble_run()
 * (core/assemble_steps.c).
 */
#ifndef REL_ASSEMBLE_H
#define REL_ASSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rel_events;
struct rel_plan;

struct rel_assemble_opts {
    /* Replace a release at the final path that relman did not make (no
     * .relman/manifest; `rebar3 release` or `mix release` left it): without
     * it that is REL_EEXISTS, and with it the release is replaced whole
     * (nothing of it carried over). One made by relman is always replaced
     * (atomically), keeping its other versions. */
    bool overwrite;
    bool no_reuse; /* copy/strip everything again */
    /* When to flush the new tree to disk (syncfs) before it is put at the
     * final path. REL_FLUSH_REPLACE (the default): only when a previous
     * release is there, which the swap removes; a power cut must not leave
     * empty files where a working release was. */
    enum rel_flush { REL_FLUSH_REPLACE = 0, REL_FLUSH_ALWAYS, REL_FLUSH_NEVER } flush;
    const struct rel_events *ev;
    /* Polled before each step, before each file of the tree and while a
     * hook runs (its process group is then ended): once true, the run
     * stops with REL_ECANCELED. A cancel before the swap (step 5) leaves
     * the final path as it was and removes the new tree; the swap itself
     * and the steps after it are not interrupted midway. May be NULL. */
    bool (*canceled)(void *ctx);
    void *cancel_ctx;
    /* Asked (`question` is one line) when the release's configured cookie
     * differs from the releases/COOKIE at the final path: nodes running
     * with the old one could no longer be stopped or reached. True replaces
     * it. Without `confirm` (not on a terminal) the assembly is refused with
     * REL_EEXISTS saying so, unless `overwrite` (mix asks the same way and
     * replaces it with its `overwrite` option). May be NULL. */
    bool (*confirm)(void *ctx, const char *question);
    void *confirm_ctx;
};

struct rel_assemble_stats {
    uint64_t files;   /* files in the new release version (plan entries) */
    uint64_t written; /* copied, stripped or generated this time */
    uint64_t reused;  /* hard-linked from the previous release */
    uint64_t carried; /* kept from the previous release (other versions...) */
    uint64_t bytes;   /* size of the plan's files (sources: progress's 100%) */
    uint64_t size;    /* THE size of the release once in place (core/size.h) */
    bool flushed;     /* the tree was flushed to disk before the swap */
    double seconds;
};

/* Steps 1-5 above. */
int rel_assemble_execute(const struct rel_plan *plan, const struct rel_assemble_opts *o,
                         struct rel_assemble_stats *stats);

/*
 * The release's steps in order: hooks before assembly, assembly, hooks
 * after it, the tar step, hooks after that. Hooks run with `sh -c` in the
 * project root, with RELEASE_NAME, RELEASE_VSN and RELEASE_PATH set; a hook
 * that fails stops the run (REL_ECHILD naming the command).
 */
int rel_assemble_run(const struct rel_plan *plan, const struct rel_assemble_opts *o,
                     struct rel_assemble_stats *stats);

/* The tar step alone: pack the release at plan->dest into plan->tarball. */
int rel_assemble_tar(const struct rel_plan *plan, const struct rel_events *ev);

/* A fresh cookie: 40 bytes from the system's random source in base32
 * (A-Z, 2-7; 64 characters). */
int rel_assemble_new_cookie(char out[65]);

#endif
