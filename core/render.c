/*
 * render.c - the table of renderable files (see render.h).
 */
#include "render.h"

#include "buf.h"
#include "term.h"
#include "error.h"
#include "plan.h"
#include "resolve.h"

#include <string.h>

/* releases/VSN/NAME.rel, as `mix release` or relx writes it. */
static int render_rel(struct rel_buf *out, const struct rel_model *m)
{
    struct rel_term *t = NULL;
    int rc = rel_model_rel_term(&t, m);
    if (rc == 0)
        rc = rel_term_format_file(out, t);
    rel_term_free(t);
    return rc;
}

const struct rel_renderable rel_renderables[] = {
    {"rel", "the release resource file (releases/VSN/NAME.rel)", render_rel},
    /* the files assembly generates: the plan's entries (rel_plan_lookup) */
    {"vm.args", "VM flags for start/daemon/eval (releases/VSN/vm.args)", NULL},
    {"remote.vm.args", "VM flags for rpc/remote (releases/VSN/remote.vm.args)", NULL},
    {"env.sh", "the environment script bin/NAME sources (releases/VSN/env.sh)", NULL},
    {"sys.config", "the application configuration (releases/VSN/sys.config)", NULL},
    {"start.script", "the boot script (releases/VSN/start.script)", NULL},
    {"start_clean.script", "the boot script of eval/rpc/remote (releases/VSN/start_clean.script)",
     NULL},
    {"bin", "the start script bin/NAME", NULL},
};
const size_t rel_renderable_count = sizeof(rel_renderables) / sizeof(rel_renderables[0]);

const struct rel_renderable *rel_render_find(const char *name)
{
    for (size_t i = 0; i < rel_renderable_count; i++)
        if (strcmp(rel_renderables[i].name, name) == 0)
            return &rel_renderables[i];
    return NULL;
}

int rel_render_check_name(const char *name)
{
    if (rel_render_find(name))
        return 0;
    struct rel_buf names = REL_BUF_INIT;
    for (size_t i = 0; i < rel_renderable_count; i++)
        rel_buf_printf(&names, "%s%s", i ? ", " : "", rel_renderables[i].name);
    int rc = rel_error_set(REL_ENOTFOUND, "nothing called '%s' can be rendered (known: %s)", name,
                           rel_buf_cstr(&names));
    rel_buf_free(&names);
    return rc;
}

bool rel_render_needs_plan(const struct rel_renderable *r)
{
    return r->render == NULL;
}

int rel_render_plan(struct rel_buf *out, const struct rel_plan_entry **entry,
                    const struct rel_model *m, const struct rel_plan *plan, const char *name)
{
    if (entry)
        *entry = NULL;
    const struct rel_renderable *r = rel_render_find(name);
    if (!r)
        return rel_render_check_name(name);
    if (!rel_render_needs_plan(r)) {
        int rc = r->render(out, m);
        if (rc == 0 && plan && entry && rel_plan_lookup(entry, plan, name) < 0)
            rel_error_clear(); /* rendered; the plan just has no such file */
        return rc;
    }
    if (!plan)
        return rel_error_set(REL_EINVAL, "%s is rendered from the plan, and there is none", name);
    const struct rel_plan_entry *e = NULL;
    int rc = rel_plan_lookup(&e, plan, name);
    if (rc == 0)
        rc = rel_plan_entry_text(out, e);
    if (rc == 0 && entry)
        *entry = e;
    return rc;
}

int rel_render(struct rel_buf *out, const struct rel_model *m, const char *name)
{
    const struct rel_renderable *r = rel_render_find(name);
    if (!r)
        return rel_render_check_name(name);
    struct rel_plan *plan = NULL;
    int rc = rel_render_needs_plan(r) ? rel_plan_build(&plan, m, NULL) : 0;
    if (rc == 0)
        rc = rel_render_plan(out, NULL, m, plan, name);
    rel_plan_free(plan);
    return rc;
}
