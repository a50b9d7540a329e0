/*
 * render.h - the files relman can show without assembling a release.
 *
 * `relman render [REL] NAME` (and the TUI's preview) look NAME up in one
 * table. A few entries render from the resolved model alone (the .rel);
 * the rest are the files assembly generates, which are the plan's entries
 * (core/plan.h: rel_plan_lookup), so what is shown is exactly what assembly
 * would write. Callers that keep a plan (the TUI) render from it with
 * rel_render_plan(); rel_render() builds one when the entry needs it.
 *
 * How to add a renderable file: a file assembly generates needs one line in
 * the table in render.c with a NULL `render` and, unless it is
 * releases/VSN/NAME, a case in rel_plan_lookup(); a text made from the model
 * alone gets `static int render_NAME(struct rel_buf *out, const struct
 * rel_model *m)`. The help of `relman render` and docs list the table.
 */
#ifndef REL_RENDER_H
#define REL_RENDER_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;
struct rel_model;
struct rel_plan;
struct rel_plan_entry;

struct rel_renderable {
    const char *name;    /* what the user types: "rel" */
    const char *summary; /* one line: "the release resource file releases/VSN/NAME.rel" */
    /* Append the file's text, made from the model alone, to `out`. A model
     * with errors is refused (rel_model_check). NULL: the text is the
     * plan's entry for `name` (rel_plan_lookup). */
    int (*render)(struct rel_buf *out, const struct rel_model *m);
};

extern const struct rel_renderable rel_renderables[];
extern const size_t rel_renderable_count;

/* The entry called `name`, or NULL. */
const struct rel_renderable *rel_render_find(const char *name);

/* 0 when something called `name` can be rendered, else REL_ENOTFOUND with
 * the message listing the known names. */
int rel_render_check_name(const char *name);

/* Whether `r`'s text comes from a plan (so rendering it may start elixir). */
bool rel_render_needs_plan(const struct rel_renderable *r);

/*
 * Render `name` into `out` from model `m` and `plan`, a plan of `m` already
 * built (rel_plan_build); `plan` may be NULL for entries that do not need
 * one. *entry (when `entry` is not NULL) is set to the plan's entry for the
 * file, whose path in the assembled release is plan->dest/ENTRY->path, or
 * NULL when there is no plan or it has no such file. REL_ENOTFOUND (listing
 * the known names) for an unknown name, or when the plan has no such file.
 */
int rel_render_plan(struct rel_buf *out, const struct rel_plan_entry **entry,
                    const struct rel_model *m, const struct rel_plan *plan, const char *name);

/* As rel_render_plan(), building the plan when the entry needs one (its
 * errors are the ones assembly would report). */
int rel_render(struct rel_buf *out, const struct rel_model *m, const char *name);

#endif
