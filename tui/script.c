/*
 * script.c - reading headless key scripts one step at a time.
 */
#include "tui/script.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "tui/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_MAX (1024 * 1024)

struct tui_script {
    char *text;
    char *origin;
    const char *pos;     /* the next line */
    const char *pending; /* keys left on the current key line */
    char line[1024];     /* the current line */
    int lineno;
    int timeout_ms;
};

int tui_script_from_text(struct tui_script **out, const char *text, const char *origin)
{
    struct tui_script *s = rel_calloc(1, sizeof(*s));
    s->text = rel_strdup(text);
    s->origin = rel_strdup(origin);
    s->pos = s->text;
    s->timeout_ms = 10000;
    *out = s;
    return 0;
}

int tui_script_open(struct tui_script **out, const char *path)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_fs_read_file(&text, path, SCRIPT_MAX);
    if (rc == 0)
        rc = tui_script_from_text(out, rel_buf_cstr(&text), path);
    rel_buf_free(&text);
    return rc;
}

void tui_script_free(struct tui_script *s)
{
    if (!s)
        return;
    free(s->text);
    free(s->origin);
    free(s);
}

const char *tui_script_where(const struct tui_script *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%d", s->origin, s->lineno);
    return buf;
}

static int bad(struct tui_script *s, const char *what)
{
    return rel_error_set(REL_EPARSE, "%s:%d: %s", s->origin, s->lineno, what);
}

/* Read the next line into s->line; false at the end. */
static bool next_line(struct tui_script *s)
{
    if (!*s->pos)
        return false;
    const char *nl = strchr(s->pos, '\n');
    size_t len = nl ? (size_t)(nl - s->pos) : strlen(s->pos);
    if (len >= sizeof(s->line))
        len = sizeof(s->line) - 1;
    memcpy(s->line, s->pos, len);
    s->line[len] = '\0';
    if (len && s->line[len - 1] == '\r')
        s->line[len - 1] = '\0';
    s->pos = nl ? nl + 1 : s->pos + strlen(s->pos);
    s->lineno++;
    return true;
}

static int directive(struct tui_script *s, struct tui_step *step)
{
    char *arg = s->line + 1 + strcspn(s->line + 1, " \t");
    size_t namelen = (size_t)(arg - (s->line + 1));
    while (*arg == ' ' || *arg == '\t')
        arg++;
    const char *name = s->line + 1;
    if (namelen == 4 && strncmp(name, "wait", 4) == 0) {
        if (!*arg)
            return bad(s, "@wait needs the text to wait for");
        step->kind = TUI_STEP_WAIT;
        step->wait_absent = arg[0] == '!';
        snprintf(step->text, sizeof(step->text), "%s", arg + step->wait_absent);
        step->timeout_ms = s->timeout_ms;
        return 1;
    }
    if (namelen == 7 && strncmp(name, "timeout", 7) == 0) {
        char *end;
        long secs = strtol(arg, &end, 10);
        if (end == arg || *end || secs < 1 || secs > 3600)
            return bad(s, "@timeout needs a number of seconds (1-3600)");
        s->timeout_ms = (int)secs * 1000;
        return 0;
    }
    if (namelen == 6 && strncmp(name, "resize", 6) == 0) {
        int cols, lines;
        char extra;
        if (sscanf(arg, "%dx%d%c", &cols, &lines, &extra) != 2 || cols < 1 || lines < 1 ||
            cols > 1000 || lines > 1000)
            return bad(s, "@resize needs COLSxLINES (e.g. 80x24)");
        step->kind = TUI_STEP_RESIZE;
        step->cols = cols;
        step->lines = lines;
        return 1;
    }
    if (namelen == 5 && strncmp(name, "sleep", 5) == 0) {
        char *end;
        long ms = strtol(arg, &end, 10);
        if (end == arg || *end || ms < 0 || ms > 600000)
            return bad(s, "@sleep needs milliseconds (0-600000)");
        step->kind = TUI_STEP_SLEEP;
        step->ms = (int)ms;
        return 1;
    }
    if (namelen == 4 && strncmp(name, "dump", 4) == 0) {
        if (!*arg || strchr(arg, ' '))
            return bad(s, "@dump needs one NAME");
        step->kind = TUI_STEP_DUMP;
        snprintf(step->text, sizeof(step->text), "%s", arg);
        return 1;
    }
    return bad(s, "unknown step (expected @wait, @timeout, @resize, @sleep or @dump)");
}

int tui_script_next(struct tui_script *s, struct tui_step *step)
{
    memset(step, 0, sizeof(*step));
    for (;;) {
        if (s->pending && *s->pending) {
            const char *p = s->pending;
            int key = tui_key_parse(&p);
            s->pending = p;
            step->kind = TUI_STEP_KEY;
            step->key = key;
            step->lineno = s->lineno;
            return 0;
        }
        s->pending = NULL;
        if (!next_line(s)) {
            step->kind = TUI_STEP_END;
            step->lineno = s->lineno;
            return 0;
        }
        const char *p = s->line + strspn(s->line, " \t");
        if (!*p || *p == '#')
            continue;
        step->lineno = s->lineno;
        if (*p == '@') {
            memmove(s->line, p, strlen(p) + 1);
            int rc = directive(s, step);
            if (rc < 0)
                return rc;
            if (rc == 1)
                return 0;
            continue;
        }
        if (*p == ':') {
            /* A command line is typed literally, then <Enter>: escape each
             * '<' so the key parser reads it as itself. */
            char typed[sizeof(s->line) * 4 + 8];
            size_t o = 0;
            for (const char *c = p; *c && o + 8 < sizeof(typed); c++) {
                if (*c == '<') {
                    memcpy(typed + o, "<lt>", 4);
                    o += 4;
                } else {
                    typed[o++] = *c;
                }
            }
            memcpy(typed + o, "<Enter>", 8);
            if (strlen(typed) >= sizeof(s->line))
                return bad(s, "command line too long");
            strcpy(s->line, typed);
            s->pending = s->line;
            continue;
        }
        memmove(s->line, p, strlen(p) + 1);
        s->pending = s->line;
    }
}
