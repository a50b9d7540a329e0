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

/* The files assembly generates, from the plan (core/plan.h). */
static int render_vm_args(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "vm.args");
}
static int render_remote_vm_args(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "remote.vm.args");
}
static int render_env_sh(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "env.sh");
}
static int render_sys_config(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "sys.config");
}
static int render_start_script(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "start.script");
}
static int render_start_clean_script(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "start_clean.script");
}
static int render_bin(struct rel_buf *out, const struct rel_model *m)
{
    return rel_plan_render(out, m, "bin");
}

const struct rel_renderable rel_renderables[] = {
    {"rel", "the release resource file (releases/VSN/NAME.rel)", render_rel},
    {"vm.args", "VM flags for start/daemon/eval (releases/VSN/vm.args)", render_vm_args},
    {"remote.vm.args", "VM flags for rpc/remote (releases/VSN/remote.vm.args)",
     render_remote_vm_args},
    {"env.sh", "the environment script bin/NAME sources (releases/VSN/env.sh)", render_env_sh},
    {"sys.config", "the application configuration (releases/VSN/sys.config)", render_sys_config},
    {"start.script", "the boot script (releases/VSN/start.script)", render_start_script},
    {"start_clean.script", "the boot script of eval/rpc/remote (releases/VSN/start_clean.script)",
     render_start_clean_script},
    {"bin", "the start script bin/NAME", render_bin},
};
const size_t rel_renderable_count = sizeof(rel_renderables) / sizeof(rel_renderables[0]);

const struct rel_renderable *rel_render_find(const char *name)
{
    for (size_t i = 0; i < rel_renderable_count; i++)
        if (strcmp(rel_renderables[i].name, name) == 0)
            return &rel_renderables[i];
    return NULL;
}

int rel_render(struct rel_buf *out, const struct rel_model *m, const char *name)
{
    const struct rel_renderable *r = rel_render_find(name);
    if (!r) {
        struct rel_buf names = REL_BUF_INIT;
        for (size_t i = 0; i < rel_renderable_count; i++)
            rel_buf_printf(&names, "%s%s", i ? ", " : "", rel_renderables[i].name);
        int rc = rel_error_set(REL_ENOTFOUND, "nothing called '%s' can be rendered (known: %s)",
                               name, rel_buf_cstr(&names));
        rel_buf_free(&names);
        return rc;
    }
    return r->render(out, m);
}
