/*
 * view.c - the view stack: the screens the user went through, the root
 * first and the one shown on top.
 */
#include "tui/view.h"

#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIEWS 16

static struct {
    struct tui_view *stack[MAX_VIEWS];
    int depth;
} views;

static void destroy(struct tui_view *v)
{
    if (v->ops->destroy)
        v->ops->destroy(v);
    free(v);
}

struct tui_view *tui_push(const struct tui_view_ops *ops, void *data, const char *crumb)
{
    if (views.depth == MAX_VIEWS) {
        /* Deep stacks come from loops (preview of preview of ...): drop the
         * oldest view above the root rather than refuse. */
        destroy(views.stack[1]);
        memmove(&views.stack[1], &views.stack[2], sizeof(views.stack[0]) * (size_t)(MAX_VIEWS - 2));
        views.depth--;
    }
    struct tui_view *v = rel_calloc(1, sizeof(*v));
    v->ops = ops;
    v->data = data;
    snprintf(v->crumb, sizeof(v->crumb), "%s", crumb);
    views.stack[views.depth++] = v;
    tui_redraw_request(false);
    return v;
}

struct tui_view *tui_top(void)
{
    return views.depth ? views.stack[views.depth - 1] : NULL;
}

struct tui_view *tui_below(struct tui_view *v)
{
    for (int i = 1; i < views.depth; i++)
        if (views.stack[i] == v)
            return views.stack[i - 1];
    return NULL;
}

void tui_close_later(struct tui_view *v)
{
    v->closing = true;
}

int tui_view_depth(void)
{
    return views.depth;
}

struct tui_view *tui_view_at(int i)
{
    return i >= 0 && i < views.depth ? views.stack[i] : NULL;
}

void tui_view_pop(void)
{
    if (views.depth == 0)
        return;
    destroy(views.stack[--views.depth]);
    tui_redraw_request(false);
}

void tui_view_reap(void)
{
    int kept = 0;
    for (int i = 0; i < views.depth; i++) {
        struct tui_view *v = views.stack[i];
        if (v->closing && views.depth > 1) {
            destroy(v);
            tui_redraw_request(false);
        } else {
            views.stack[kept++] = v;
        }
    }
    views.depth = kept;
}

struct tui_list *tui_view_top_list(void)
{
    struct tui_view *v = tui_top();
    return v && v->ops->list ? v->ops->list(v) : NULL;
}

struct tui_view *tui_view_dirty(void)
{
    for (int i = views.depth - 1; i >= 0; i--)
        if (views.stack[i]->ops->dirty && views.stack[i]->ops->dirty(views.stack[i]))
            return views.stack[i];
    return NULL;
}
