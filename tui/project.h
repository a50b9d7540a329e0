/*
 * project.h - what the project screens share: the project found on disk
 * (core/project.h), the relman.yml being edited (session.h) and the release
 * models resolved from the current text (core/resolve.h) with their plans
 * (core/plan.h), cached until the text changes (the session's generation).
 * One per TUI run; the views borrow it.
 */
#ifndef TUI_PROJECT_H
#define TUI_PROJECT_H

#include "core/plan.h"
#include "core/project.h"
#include "core/resolve.h"
#include "tui/session.h"

#include <stdbool.h>
#include <stddef.h>

struct tui_project;

/* Open the project in `dir` (which has a relman.yml). 0 or REL_E*. */
int tui_project_open(struct tui_project **out, const char *dir);
void tui_project_free(struct tui_project *tp);

const struct rel_project *tui_project_core(const struct tui_project *tp);
struct tui_session *tui_project_session(struct tui_project *tp);
const struct rel_config *tui_project_config(const struct tui_project *tp);

/* The model of release `name` for the current text (resolved on first use;
 * valid until the next edit, undo, redo or reload). NULL with the error set
 * when it cannot be resolved at all. */
const struct rel_model *tui_project_model(struct tui_project *tp, const char *name);

/*
 * The plan of release `name`'s model (core/plan.h), kept beside it: NULL
 * until one was handed over with tui_project_keep_plan(); dropped with the
 * model (the next edit, undo, redo or reload). Building a plan may start
 * elixir, so the UI thread never builds one: a worker does (the preview's),
 * and the UI thread keeps it when the worker ended.
 */
const struct rel_plan *tui_project_plan(struct tui_project *tp, const char *name);
/* Take over `plan`, built on a worker from `m` = tui_project_model(tp,
 * name): kept as that model's plan, or freed when the model is no longer
 * the current one (the text changed meanwhile) or a plan is kept already.
 * On the UI thread, before unpinning. */
void tui_project_keep_plan(struct tui_project *tp, const char *name, const struct rel_model *m,
                           struct rel_plan *plan);

/* The explicit mode of `app` in the current text of `release`, or -1. */
int tui_project_explicit_mode(const struct tui_project *tp, const char *release, const char *app);
/* The same in the file as last read or saved (to show "was permanent"). */
int tui_project_saved_mode(struct tui_project *tp, const char *release, const char *app);

/* Re-read relman.yml and rescan the project. REL_EUSAGE when there are
 * unsaved edits (they are never dropped silently) or while pinned
 * (background work is using the project). */
int tui_project_reload(struct tui_project *tp);

/*
 * Background work (an assembly on a worker thread) reads the project and a
 * model while the UI goes on. Pin before starting it, unpin (on the UI
 * thread) when it ended: while pinned, reloading waits and the screens do
 * not edit (an edit re-parses relman.yml, and a model borrows its release
 * from the parsed file); models dropped meanwhile are freed at the last
 * unpin.
 */
void tui_project_pin(struct tui_project *tp);
void tui_project_unpin(struct tui_project *tp);
bool tui_project_pinned(const struct tui_project *tp);

/* Release directories changed on disk (an assembly ended): screens that
 * show them compare the generation and look again. */
void tui_project_disk_changed(struct tui_project *tp);
unsigned tui_project_disk_generation(const struct tui_project *tp);

/* The size of the files under `path` by the one rule (core/size.h
 * rel_size_tree: regular files, symlinks not followed), and how many files
 * (`files` may be NULL). */
unsigned long long tui_project_du(const char *path, unsigned long *files);

#endif
