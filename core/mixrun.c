/*
 * mixrun.c - asking Mix itself (see mixrun.h).
 */
#include "mixrun.h"

#include "alloc.h"
#include "buf.h"
#include "data.h"
#include "error.h"
#include "proc.h"
#include "term.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rel_mixrun_cmd_init(struct rel_mixrun_cmd *cmd, const struct rel_mixrun_opts *o)
{
    memset(cmd, 0, sizeof(*cmd));
    size_t len = 0;
    const char *script = rel_data_get("mix_query.exs", &len);
    if (!script)
        return rel_error_set(REL_ENOTFOUND, "built-in mix_query.exs is missing");
    cmd->argv[0] = "elixir";
    cmd->argv[1] = "-e";
    cmd->argv[2] = script;
    size_t n = 0;
    cmd->env[n++] = rel_asprintf("MIX_ENV=%s", o->env ? o->env : "prod");
    cmd->env[n++] = rel_asprintf("RELMAN_MIX_DO=%s", o->action);
    if (o->release)
        cmd->env[n++] = rel_asprintf("RELMAN_MIX_RELEASE=%s", o->release);
    if (o->plan)
        cmd->env[n++] = rel_asprintf("RELMAN_MIX_PLAN=%s", o->plan);
    if (o->reply)
        cmd->env[n++] = rel_asprintf("RELMAN_MIX_REPLY=%s", o->reply);
    if (o->path)
        cmd->env[n++] = rel_asprintf("RELMAN_MIX_PATH=%s", o->path);
    if (o->version)
        cmd->env[n++] = rel_asprintf("RELMAN_MIX_VSN=%s", o->version);
    /* the VM stops waiting for relman's answers once relman is gone */
    cmd->env[n++] = rel_asprintf("RELMAN_MIX_PARENT=%ld", (long)getpid());
    return 0;
}

void rel_mixrun_cmd_free(struct rel_mixrun_cmd *cmd)
{
    for (size_t i = 0; i < sizeof(cmd->env) / sizeof(cmd->env[0]); i++)
        free(cmd->env[i]);
    memset(cmd, 0, sizeof(*cmd));
}

char *rel_mixrun_error_line(const char *output)
{
    char *e = rel_strdup(output ? output : "");
    const char *line = strstr(e, "** (");
    if (!line) {
        size_t n = strlen(e);
        while (n && isspace((unsigned char)e[n - 1]))
            e[--n] = '\0';
        line = strrchr(e, '\n');
        line = line ? line + 1 : e;
    }
    while (*line == ' ')
        line++;
    size_t len = strcspn(line, "\n");
    char *r = rel_strndup(line, len > 300 ? 300 : len);
    free(e);
    return r;
}

int rel_mixrun_query(struct rel_term **out, const struct rel_mixrun_opts *o, const char *what)
{
    *out = NULL;
    struct rel_mixrun_cmd cmd;
    int rc = rel_mixrun_cmd_init(&cmd, o);
    if (rc < 0)
        return rc;
    struct rel_buf so = REL_BUF_INIT, se = REL_BUF_INIT;
    struct rel_proc_opts po = {.cwd = o->dir,
                               .env = (const char *const *)cmd.env,
                               .out = &so,
                               .err = &se,
                               .max_output = (size_t)8 << 20};
    int status = -1;
    rc = rel_proc_run(&status, cmd.argv, &po);
    if (rc < 0) {
        rel_error_prefix("%s", what);
        goto done;
    }
    const char *begin = strstr(rel_buf_cstr(&so), "RELMAN-BEGIN\n");
    const char *end = begin ? strstr(begin, "\nRELMAN-END") : NULL;
    if (status != 0 || !begin || !end) {
        char *line = rel_mixrun_error_line(se.len ? rel_buf_cstr(&se) : rel_buf_cstr(&so));
        rc = rel_error_set(REL_ECHILD, "%s (exit %d)%s%s", what, status, line[0] ? ": " : "",
                           line);
        free(line);
        goto done;
    }
    begin += strlen("RELMAN-BEGIN\n");
    rc = rel_term_parse_one(out, begin, (size_t)(end - begin), "mix output");
done:
    rel_buf_free(&so);
    rel_buf_free(&se);
    rel_mixrun_cmd_free(&cmd);
    return rc;
}
