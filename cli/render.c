/*
 * render.c - `relman render [REL] NAME`: print a generated release file
 * without assembling (the table is in core/render.c; rel_render builds the
 * plan when the file is one of its entries and looks it up there, as the
 * TUI's preview does in the plan it keeps).
 */
#include "cli.h"
#include "load.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/project.h"
#include "core/render.h"
#include "core/resolve.h"

#include <stdbool.h>
#include <stdio.h>

/* `render --list --json`: [{"name", "summary"}...] */
static int print_list_json(void)
{
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json js;
    rel_json_init(&js, &out, true);
    rel_json_array_begin(&js);
    for (size_t i = 0; i < rel_renderable_count; i++) {
        rel_json_object_begin(&js);
        rel_json_kv_string(&js, "name", rel_renderables[i].name);
        rel_json_kv_string(&js, "summary", rel_renderables[i].summary);
        rel_json_object_end(&js);
    }
    rel_json_array_end(&js);
    int rc = rel_json_finish(&js) < 0 ? cli_core_error() : CLI_OK;
    if (rc == CLI_OK)
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    return rc;
}

/* `render [REL] NAME --json`: {"release", "version", "name", "text"} */
static int print_render_json(const struct rel_model *m, const char *what, const struct rel_buf *text)
{
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json js;
    rel_json_init(&js, &out, true);
    rel_json_object_begin(&js);
    rel_json_kv_string(&js, "release", m->release->name);
    rel_json_kv_string(&js, "version", m->version);
    rel_json_kv_string(&js, "name", what);
    rel_json_key(&js, "text");
    rel_json_stringn(&js, text->ptr ? text->ptr : "", text->len);
    rel_json_object_end(&js);
    int rc = rel_json_finish(&js) < 0 ? cli_core_error() : CLI_OK;
    if (rc == CLI_OK)
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    return rc;
}

int cmd_render(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"list", no_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    bool list = false, json = false;
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        switch (c) {
        case 'l':
            list = true;
            break;
        case 'j':
            json = true;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (list) {
        if (json)
            return print_list_json();
        for (size_t i = 0; i < rel_renderable_count; i++)
            printf("%-20s %s\n", rel_renderables[i].name, rel_renderables[i].summary);
        return CLI_OK;
    }
    int nargs = argc - optind;
    if (nargs < 1)
        return cli_usage_error("render", "say what to render");
    if (nargs > 2)
        return cli_usage_error("render", "unexpected argument '%s'", argv[optind + 2]);
    const char *rel = nargs == 2 ? argv[optind] : NULL;
    const char *what = argv[optind + nargs - 1];
    if (rel_render_check_name(what) < 0)
        return cli_usage_error("render", "%s", rel_error_message());
    struct rel_project *p;
    struct rel_model *m;
    int rc = cli_load_model(&p, &m, rel);
    if (rc != CLI_OK)
        return rc;
    struct rel_buf out = REL_BUF_INIT;
    if (rel_render(&out, m, what) < 0)
        rc = cli_core_error();
    else if (json)
        rc = print_render_json(m, what, &out);
    else
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    rel_model_free(m);
    rel_project_free(p);
    return rc;
}
