/*
 * fswatch.h - files that change on disk while the TUI runs (inotify).
 *
 * A watcher holds an inotify fd and a timerfd, both in the main loop's
 * poll() (tui_watch). Directories are added with a label; an event in one
 * (a file written, created, renamed into or out of it, deleted) arms the
 * timer, and when no further event came for a short while (editors write a
 * file in several steps: temp file, rename, chmod) `changed` runs once on
 * the UI thread with the labels seen, e.g. "relman.yml, ebin". The callback
 * returns reaction flags (view.h) like any handler.
 *
 * Linux only (inotify); where it cannot start, tui_fswatch_open() fails and
 * the TUI goes on without it (R still reloads).
 */
#ifndef TUI_FSWATCH_H
#define TUI_FSWATCH_H

struct tui_fswatch;

typedef int (*tui_fswatch_fn)(void *ctx, const char *labels);

/* A watcher calling `fn(ctx, labels)`. 0 or REL_EIO (message set). */
int tui_fswatch_open(struct tui_fswatch **out, tui_fswatch_fn fn, void *ctx);
/* Stop watching and free (NULL is fine). */
void tui_fswatch_free(struct tui_fswatch *fw);

/*
 * Watch directory `dir` (not recursive) for changes to the file called
 * `name` in it (NULL: any file) under `label`. A directory that does not
 * exist is skipped (0). 0 or REL_ELIMIT past 256 watches.
 */
int tui_fswatch_add(struct tui_fswatch *fw, const char *dir, const char *name, const char *label);
/* Call `fn` again with `labels` in `ms` milliseconds (or sooner, with more,
 * when files change meanwhile): the change could not be taken yet. */
void tui_fswatch_later(struct tui_fswatch *fw, const char *labels, int ms);
/* Drop every watched directory (before adding the new set after a reload). */
void tui_fswatch_clear(struct tui_fswatch *fw);
/* How many directories are watched. */
int tui_fswatch_count(const struct tui_fswatch *fw);

#endif
