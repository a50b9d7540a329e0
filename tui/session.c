/*
 * session.c - versions of relman.yml's text, undo/redo, atomic save.
 */
#include "tui/session.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HISTORY_MAX 1000

struct version {
    char *text;
    char label[128]; /* the edit that made this version from the previous one */
};

struct tui_session {
    char *path;
    char *disk; /* the file as last read or saved */
    struct version *hist;
    size_t n, cur; /* hist[0..n), hist[cur] is current */
    struct rel_config *cfg;
    unsigned generation;
};

static int parse_current(struct tui_session *s)
{
    struct rel_config *cfg = NULL;
    const char *text = s->hist[s->cur].text;
    char *dir = rel_path_dirname(s->path);
    int rc = rel_config_parse(&cfg, text, strlen(text), s->path, dir);
    free(dir);
    if (rc < 0)
        return rc;
    rel_config_free(s->cfg);
    s->cfg = cfg;
    s->generation++;
    return 0;
}

static void clear_history(struct tui_session *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->hist[i].text);
    free(s->hist);
    s->hist = NULL;
    s->n = s->cur = 0;
}

static int read_file(char **out, const char *path)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, path, REL_CONFIG_MAX_SIZE);
    if (rc < 0) {
        rel_buf_free(&b);
        return rc;
    }
    *out = rel_buf_detach(&b);
    return 0;
}

static int load(struct tui_session *s)
{
    char *text = NULL;
    int rc = read_file(&text, s->path);
    if (rc < 0)
        return rc;
    struct version *hist = rel_calloc(1, sizeof(*hist));
    hist[0].text = rel_strdup(text);
    /* parse into a scratch session state first: a broken file leaves the
     * current one untouched */
    struct tui_session tmp = {s->path, text, hist, 1, 0, NULL, s->generation};
    rc = parse_current(&tmp);
    if (rc < 0) {
        free(hist[0].text);
        free(hist);
        free(text);
        return rc;
    }
    clear_history(s);
    free(s->disk);
    rel_config_free(s->cfg);
    s->disk = text;
    s->hist = hist;
    s->n = 1;
    s->cur = 0;
    s->cfg = tmp.cfg;
    s->generation = tmp.generation;
    return 0;
}

int tui_session_open(struct tui_session **out, const char *path)
{
    *out = NULL;
    struct tui_session *s = rel_calloc(1, sizeof(*s));
    s->path = rel_strdup(path);
    int rc = load(s);
    if (rc < 0) {
        tui_session_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void tui_session_free(struct tui_session *s)
{
    if (!s)
        return;
    clear_history(s);
    rel_config_free(s->cfg);
    free(s->disk);
    free(s->path);
    free(s);
}

const struct rel_config *tui_session_config(const struct tui_session *s)
{
    return s->cfg;
}

const char *tui_session_path(const struct tui_session *s)
{
    return s->path;
}

const char *tui_session_text(const struct tui_session *s)
{
    return s->hist[s->cur].text;
}

unsigned tui_session_generation(const struct tui_session *s)
{
    return s->generation;
}

int tui_session_set_mode(struct tui_session *s, const char *release, const char *app,
                         const char *mode)
{
    const char *text = s->hist[s->cur].text;
    struct rel_buf out = REL_BUF_INIT;
    int rc = rel_config_edit_app_mode(&out, text, strlen(text), s->path, release, app, mode);
    if (rc < 0) {
        rel_buf_free(&out);
        return rc;
    }
    if (strcmp(rel_buf_cstr(&out), text) == 0) {
        rel_buf_free(&out);
        return 0;
    }
    /* a new edit drops what could have been redone */
    for (size_t i = s->cur + 1; i < s->n; i++)
        free(s->hist[i].text);
    s->n = s->cur + 1;
    if (s->n == HISTORY_MAX) {
        free(s->hist[0].text);
        memmove(&s->hist[0], &s->hist[1], sizeof(s->hist[0]) * (s->n - 1));
        s->n--;
        s->cur--;
    }
    s->hist = rel_reallocarray(s->hist, s->n + 1, sizeof(*s->hist));
    s->hist[s->n].text = rel_buf_detach(&out);
    snprintf(s->hist[s->n].label, sizeof(s->hist[s->n].label), "%s: %s", app,
             mode ? mode : "default mode");
    s->n++;
    s->cur++;
    rc = parse_current(s);
    if (rc < 0) { /* cannot happen: the edit re-validated the text */
        s->cur--;
        s->n--;
        free(s->hist[s->n].text);
    }
    return rc;
}

bool tui_session_undo(struct tui_session *s, char *label, size_t size)
{
    if (s->cur == 0)
        return false;
    snprintf(label, size, "%s", s->hist[s->cur].label);
    s->cur--;
    parse_current(s);
    return true;
}

bool tui_session_redo(struct tui_session *s, char *label, size_t size)
{
    if (s->cur + 1 >= s->n)
        return false;
    s->cur++;
    snprintf(label, size, "%s", s->hist[s->cur].label);
    parse_current(s);
    return true;
}

bool tui_session_dirty(const struct tui_session *s)
{
    return strcmp(s->hist[s->cur].text, s->disk) != 0;
}

bool tui_session_disk_changed(const struct tui_session *s)
{
    char *now = NULL;
    if (read_file(&now, s->path) < 0) {
        rel_error_clear();
        return false;
    }
    bool changed = strcmp(now, s->disk) != 0;
    free(now);
    return changed;
}

int tui_session_save(struct tui_session *s)
{
    char *now = NULL;
    int rc = read_file(&now, s->path);
    if (rc < 0)
        return rc;
    bool changed = strcmp(now, s->disk) != 0;
    free(now);
    if (changed)
        return rel_error_set(REL_ECONFIG,
                             "%s changed on disk since relman read it: not saved (R reloads it, "
                             "dropping the edits made here)",
                             s->path);
    const char *text = s->hist[s->cur].text;
    struct stat st;
    mode_t perm = 0644;
    if (stat(s->path, &st) == 0)
        perm = st.st_mode & 07777;
    rc = rel_fs_write_atomic(s->path, text, strlen(text), perm);
    if (rc < 0)
        return rc;
    free(s->disk);
    s->disk = rel_strdup(text);
    return 0;
}

int tui_session_reload(struct tui_session *s)
{
    return load(s);
}
