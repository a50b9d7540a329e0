/*
 * render.h - the files relman can show without assembling a release.
 *
 * `relman render [REL] NAME` (and the TUI's preview) look NAME up in one
 * table. Each entry renders from the resolved model alone, so what is shown
 * is exactly what assembly would write.
 *
 * How to add a renderable file (vm.args, env.sh, sys.config, start.script,
 * bin, ...): write `static int render_NAME(struct rel_buf *out, const struct
 * rel_model *m)` in render.c (or in the module that owns the format, exposed
 * through its header) and add one line to the table in render.c. The help of
 * `relman render` and docs list the table.
 */
#ifndef REL_RENDER_H
#define REL_RENDER_H

#include <stddef.h>

struct rel_buf;
struct rel_model;

struct rel_renderable {
    const char *name;    /* what the user types: "rel" */
    const char *summary; /* one line: "the release resource file releases/VSN/NAME.rel" */
    /* Append the file's text to `out`. A model with errors is refused
     * (rel_model_check) by renderers that need a complete release. */
    int (*render)(struct rel_buf *out, const struct rel_model *m);
};

extern const struct rel_renderable rel_renderables[];
extern const size_t rel_renderable_count;

/* The entry called `name`, or NULL. */
const struct rel_renderable *rel_render_find(const char *name);

/* Render `name` for model `m` into `out`. REL_ENOTFOUND (listing the known
 * names) for an unknown name. */
int rel_render(struct rel_buf *out, const struct rel_model *m, const char *name);

#endif
