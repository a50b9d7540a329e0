/*
 * preview.c - the files a release would get, rendered by core without
 * assembling: scrollable, searchable (/ n N), one file at a time ([ ]).
 * The files are core's table of renderables (core/render.h): a file added
 * there shows up here. Secrets are masked (mask.h).
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/render.h"
#include "tui/mask.h"
#include "tui/project.h"
#include "tui/textview.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct preview {
    struct tui_project *tp;
    char release[128];
    size_t file; /* index into rel_renderables */
    char error[512];
    struct tui_textview text;
};

static void render(struct preview *pv)
{
    pv->error[0] = '\0';
    struct rel_buf b = REL_BUF_INIT;
    const struct rel_model *m = tui_project_model(pv->tp, pv->release);
    int rc = m ? rel_renderables[pv->file].render(&b, m) : -1;
    if (rc < 0) {
        snprintf(pv->error, sizeof(pv->error), "%s", rel_error_message());
        rel_buf_clear(&b);
    }
    const struct rel_config_release *r =
        rel_config_find_release(tui_project_config(pv->tp), pv->release);
    tui_mask_secrets(&b, r ? r->cookie : NULL);
    tui_textview_set(&pv->text, rel_buf_cstr(&b));
    rel_buf_free(&b);
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct preview *pv = v->data;
    int x = 1;
    for (size_t i = 0; i < rel_renderable_count && x < r.w; i++) {
        char tab[80];
        snprintf(tab, sizeof(tab), i == pv->file ? "[%s]" : " %s ", rel_renderables[i].name);
        x += tui_put(r.y, x, r.w - x, i == pv->file ? TUI_ROLE_ACCENT : TUI_ROLE_MUTED, tab) + 1;
    }
    if (pv->error[0]) {
        tui_put(r.y + 2, 2, r.w - 3, TUI_ROLE_ERROR, pv->error);
        return;
    }
    tui_textview_draw(&pv->text, (struct tui_rect){r.y + 1, 0, r.h - 1, r.w});
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct preview *pv = v->data;
    rel_buf_printf(out, "%s %s %zu lines", rel_renderables[pv->file].summary,
                   tui_glyph(TUI_GLYPH_DOT), pv->text.nlines);
    if (pv->text.search[0])
        rel_buf_printf(out, " %s /%s", tui_glyph(TUI_GLYPH_DOT), pv->text.search);
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct preview *pv = v->data;
    size_t n = rel_renderable_count;
    switch (a) {
    case TUI_ACT_NEXT_FILE:
    case TUI_ACT_PREV_FILE:
        pv->file = (pv->file + (a == TUI_ACT_NEXT_FILE ? 1 : n - 1)) % n;
        render(pv);
        tui_list_action(&pv->text.list, TUI_ACT_MOVE_FIRST);
        return TUI_R_REDRAW;
    default:
        return tui_textview_action(&pv->text, a);
    }
}

static int reload(struct tui_view *v)
{
    render(v->data);
    return 0;
}

static struct tui_list *list(struct tui_view *v)
{
    struct preview *pv = v->data;
    return &pv->text.list;
}

static void destroy(struct tui_view *v)
{
    struct preview *pv = v->data;
    tui_textview_free(&pv->text);
    free(pv);
}

static const struct tui_view_ops preview_ops = {
    .scope = TUI_SCOPEID_PREVIEW,
    .draw = draw,
    .action = action,
    .reload = reload,
    .status = status,
    .list = list,
    .destroy = destroy,
};

int tui_preview_open(struct tui_project *tp, const char *name)
{
    if (rel_renderable_count == 0)
        return rel_error_set(REL_ENOTFOUND, "core renders no file yet");
    struct preview *pv = rel_calloc(1, sizeof(*pv));
    pv->tp = tp;
    snprintf(pv->release, sizeof(pv->release), "%s", name);
    tui_textview_init(&pv->text);
    render(pv);
    char crumb[160];
    snprintf(crumb, sizeof(crumb), "%s %s preview", name, tui_glyph(TUI_GLYPH_CRUMB));
    tui_push(&preview_ops, pv, crumb);
    return 0;
}
