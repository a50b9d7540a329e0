/*
 * inspect.c - `relman tui PATH` on an assembled release directory or a
 * release tarball: every entry with its type, permissions and size,
 * read-only. Entries that safe extraction would refuse (core's
 * rel_tarball_check_entry: absolute paths, "..", escaping links, devices)
 * are marked '!' and sorted first. Enter shows a file's text (a .boot as
 * consultable terms, a .beam as its chunk list, through core); secrets are
 * masked and a COOKIE file is never shown.
 */
#include "tui/screens.h"

#include "core/alloc.h"
#include "core/beam.h"
#include "core/buf.h"
#include "core/etf.h"
#include "core/term.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/size.h"
#include "core/tarball.h"
#include "tui/format.h"
#include "tui/list.h"
#include "tui/mask.h"
#include "tui/ui.h"
#include "tui/view.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ENTRIES 200000
#define MAX_SHOWN_FILE (4u << 20) /* bigger files are not opened */

struct entry {
    struct rel_tar_entry e;
    char problem[256]; /* why extraction would refuse it, or "" */
};

struct inspect {
    char *path;
    bool tarball;
    struct entry *entries;
    size_t n, cap;
    unsigned long long total;
    size_t problems;
    struct tui_list list;
};

static void add(struct inspect *in, const char *path, enum rel_tar_type type, mode_t mode,
                uint64_t size, const char *link)
{
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 256;
        in->entries = rel_reallocarray(in->entries, in->cap, sizeof(*in->entries));
    }
    struct entry *e = &in->entries[in->n++];
    memset(e, 0, sizeof(*e));
    e->e.path = rel_strdup(path);
    e->e.type = type;
    e->e.mode = mode;
    e->e.size = size;
    e->e.link = link ? rel_strdup(link) : NULL;
}

static int walk(struct inspect *in, const char *rel, int depth)
{
    if (depth > 64)
        return rel_error_set(REL_ELIMIT, "%s/%s: nested too deep", in->path, rel);
    char *dir = rel[0] ? rel_path_join2(in->path, rel) : rel_strdup(in->path);
    DIR *d = opendir(dir);
    if (!d) {
        int rc = rel_error_set_errno(REL_EIO, errno, "cannot read %s", dir);
        free(dir);
        return rc;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (in->n >= MAX_ENTRIES) {
            rc = rel_error_set(REL_ELIMIT, "%s: more than %d entries", in->path, MAX_ENTRIES);
            break;
        }
        char *child = rel[0] ? rel_path_join2(rel, de->d_name) : rel_strdup(de->d_name);
        char *full = rel_path_join2(in->path, child);
        struct stat st;
        if (lstat(full, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                add(in, child, REL_TAR_DIR, st.st_mode & 07777, 0, NULL);
                rc = walk(in, child, depth + 1);
            } else if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t len = readlink(full, target, sizeof(target) - 1);
                target[len > 0 ? len : 0] = '\0';
                add(in, child, REL_TAR_SYMLINK, st.st_mode & 07777, 0, target);
            } else {
                add(in, child, S_ISREG(st.st_mode) ? REL_TAR_FILE : REL_TAR_OTHER,
                    st.st_mode & 07777, (uint64_t)st.st_size, NULL);
            }
        }
        free(child);
        free(full);
    }
    closedir(d);
    free(dir);
    return rc;
}

static int by_problem_then_path(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (!x->problem[0] != !y->problem[0])
        return x->problem[0] ? -1 : 1;
    return strcmp(x->e.path, y->e.path);
}

static int load(struct inspect *in)
{
    if (in->tarball) {
        struct rel_tar_entry *es = NULL;
        size_t n = 0;
        int rc = rel_tarball_list(&es, &n, in->path, NULL);
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < n; i++)
            add(in, es[i].path, es[i].type, es[i].mode, es[i].size, es[i].link);
        rel_tarball_entries_free(es, n);
    } else {
        int rc = walk(in, "", 0);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < in->n; i++) {
        struct entry *e = &in->entries[i];
        if (e->e.type == REL_TAR_FILE && rel_size_counts(e->e.path))
            in->total += e->e.size; /* THE size (core/size.h) */
        if (rel_tarball_check_entry(&e->e) < 0) {
            snprintf(e->problem, sizeof(e->problem), "%s", rel_error_message());
            in->problems++;
        }
    }
    qsort(in->entries, in->n, sizeof(*in->entries), by_problem_then_path);
    return 0;
}

static const char *row_text(void *ctx, size_t i, char *buf, size_t size)
{
    struct inspect *in = ctx;
    snprintf(buf, size, "%s", in->entries[i].e.path);
    return buf;
}

static void mode_string(char *out, enum rel_tar_type type, mode_t m)
{
    out[0] = type == REL_TAR_DIR       ? 'd'
             : type == REL_TAR_SYMLINK ? 'l'
             : type == REL_TAR_FILE    ? '-'
                                       : '?';
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
    out[10] = '\0';
}

static void draw(struct tui_view *v, struct tui_rect r)
{
    struct inspect *in = v->data;
    tui_put(r.y, 2, 12, TUI_ROLE_HEADER, "MODE");
    tui_put(r.y, 14, 10, TUI_ROLE_HEADER, "SIZE");
    tui_put(r.y, 25, r.w - 26, TUI_ROLE_HEADER, "PATH");
    size_t sel = tui_list_selected(&in->list);
    char why[300] = ""; /* the selected entry's problem, wrapped under the list */
    if (sel != TUI_LIST_NONE && in->entries[sel].problem[0])
        snprintf(why, sizeof(why), "%s %s", tui_glyph(TUI_GLYPH_PROBLEM), in->entries[sel].problem);
    int detail = why[0] ? (int)tui_wrap(why, r.w - 2, 2, NULL, 0) : 0;
    if (detail > 3)
        detail = 3;
    struct tui_list_rows it;
    struct tui_list_row lr;
    tui_list_rows(&it, &in->list, (struct tui_rect){r.y + 1, 0, r.h - 1 - detail, r.w},
                  &(struct tui_list_look){.cursor_w = 1, .fill = true});
    while (tui_list_rows_next(&it, &lr)) {
        const struct entry *e = &in->entries[lr.row];
        bool s = lr.selected;
        int y = lr.y;
        enum tui_role base = lr.role;
        if (e->problem[0])
            tui_put(y, 1, 1, s ? base : TUI_ROLE_PROBLEM, tui_glyph(TUI_GLYPH_PROBLEM));
        char mode[12], size[32], name[4200];
        mode_string(mode, e->e.type, e->e.mode);
        tui_put(y, 2, 11, base, mode);
        if (e->e.type == REL_TAR_FILE)
            tui_put(y, 14, 10, base, rel_size_human(size, sizeof(size), e->e.size));
        snprintf(name, sizeof(name), "%s%s%s", e->e.path, e->e.link ? " -> " : "",
                 e->e.link ? e->e.link : "");
        tui_put(y, 25, r.w - 25, s ? base : (e->problem[0] ? TUI_ROLE_PROBLEM : TUI_ROLE_DEFAULT),
                name);
    }
    if (detail)
        tui_put_wrapped((struct tui_rect){r.y + r.h - detail, 1, detail, r.w - 2}, 2,
                        TUI_ROLE_PROBLEM, why);
}

/* show-text: the selected entry, its whole path and link and why it is unsafe. */
static void text(struct tui_view *v, struct rel_buf *out)
{
    struct inspect *in = v->data;
    size_t sel = tui_list_selected(&in->list);
    if (sel == TUI_LIST_NONE)
        return;
    const struct entry *e = &in->entries[sel];
    char mode[12], size[32];
    mode_string(mode, e->e.type, e->e.mode);
    rel_buf_printf(out, "%s\n%s%s%s", e->e.path, mode, e->e.type == REL_TAR_FILE ? "  " : "",
                   e->e.type == REL_TAR_FILE ? rel_size_human(size, sizeof(size), e->e.size) : "");
    if (e->e.link)
        rel_buf_printf(out, "\nlink to: %s", e->e.link);
    if (e->problem[0])
        rel_buf_printf(out, "\n%s %s", tui_glyph(TUI_GLYPH_PROBLEM), e->problem);
    rel_buf_putc(out, '\n');
}

static void status(struct tui_view *v, struct rel_buf *out)
{
    struct inspect *in = v->data;
    char size[32];
    rel_buf_printf(out, "read-only %s %zu entries %s %s", tui_glyph(TUI_GLYPH_DOT), in->n,
                   tui_glyph(TUI_GLYPH_DOT), rel_size_human(size, sizeof(size), in->total));
    if (in->problems)
        rel_buf_printf(out, " %s %s %zu unsafe", tui_glyph(TUI_GLYPH_DOT),
                       tui_glyph(TUI_GLYPH_PROBLEM), in->problems);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A .boot (external term format) as consultable text, a .beam as its
 * module, compression and chunks: what `relman inspect` prints. */
static int describe_binary(struct rel_buf *out, const char *name, const void *data, size_t len)
{
    if (ends_with(name, ".beam")) {
        struct rel_beam beam;
        int rc = rel_beam_parse(&beam, data, len, name);
        if (rc < 0)
            return rc;
        rel_buf_printf(out, "module: %s\ncompressed: %s\natoms: %zu\nchunks: %zu\n", beam.module,
                       beam.compressed ? "yes" : "no", beam.natoms, beam.nchunks);
        for (size_t i = 0; i < beam.nchunks; i++)
            rel_buf_printf(out, "  %-4s %10zu\n", beam.chunks[i].id, beam.chunks[i].len);
        rel_beam_free(&beam);
        return 0;
    }
    struct rel_term *t = NULL;
    int rc = rel_etf_decode(&t, data, len);
    if (rc == 0)
        rc = rel_term_format_file(out, t);
    rel_term_free(t);
    return rc;
}

static int open_file(struct inspect *in, const struct entry *e)
{
    if (e->e.type != REL_TAR_FILE) {
        tui_message("%s is not a regular file", e->e.path);
        return TUI_R_REDRAW;
    }
    if (tui_mask_secret_file(e->e.path)) {
        tui_message("%s holds the distribution cookie: not shown", e->e.path);
        return TUI_R_REDRAW;
    }
    if (e->e.size > MAX_SHOWN_FILE) {
        tui_message("%s is too big to show here (%llu bytes)", e->e.path,
                    (unsigned long long)e->e.size);
        return TUI_R_REDRAW;
    }
    struct rel_buf b = REL_BUF_INIT;
    int rc;
    if (in->tarball) {
        const char *names[1] = {e->e.path};
        bool found = false;
        rc = rel_tarball_read_members(in->path, names, 1, &b, &found, MAX_SHOWN_FILE);
        if (rc == 0 && !found)
            rc = rel_error_set(REL_ENOTFOUND, "%s: not in %s", e->e.path, in->path);
    } else {
        char *full = rel_path_join2(in->path, e->e.path);
        rc = rel_fs_read_file(&b, full, MAX_SHOWN_FILE);
        free(full);
    }
    if (rc < 0) {
        tui_core_error(NULL);
        rel_buf_free(&b);
        return TUI_R_REDRAW;
    }
    if (memchr(b.ptr ? b.ptr : "", '\0', b.len)) {
        /* binary: what core can read of it, else just its size */
        struct rel_buf text = REL_BUF_INIT;
        if (describe_binary(&text, e->e.path, b.ptr, b.len) < 0) {
            tui_message("%s is a binary file (%zu bytes)", e->e.path, b.len);
            rel_buf_free(&text);
            rel_buf_free(&b);
            return TUI_R_REDRAW;
        }
        rel_buf_free(&b);
        b = text;
    }
    tui_mask_secrets(&b, NULL);
    char *base = rel_path_basename(e->e.path);
    tui_pager_open(base, e->e.path, rel_buf_cstr(&b));
    free(base);
    rel_buf_free(&b);
    return TUI_R_REDRAW;
}

static int action(struct tui_view *v, enum tui_action a)
{
    struct inspect *in = v->data;
    if (a != TUI_ACT_OPEN)
        return TUI_R_UNHANDLED;
    size_t sel = tui_list_selected(&in->list);
    if (sel == TUI_LIST_NONE)
        return TUI_R_NONE;
    return open_file(in, &in->entries[sel]);
}

static struct tui_list *list(struct tui_view *v)
{
    struct inspect *in = v->data;
    return &in->list;
}

static void destroy(struct tui_view *v)
{
    struct inspect *in = v->data;
    for (size_t i = 0; i < in->n; i++) {
        free(in->entries[i].e.path);
        free(in->entries[i].e.link);
    }
    free(in->entries);
    tui_list_free(&in->list);
    free(in->path);
    free(in);
}

static const struct tui_view_ops inspect_ops = {
    .scope = TUI_SCOPEID_INSPECT,
    .draw = draw,
    .action = action,
    .status = status,
    .list = list,
    .text = text,
    .destroy = destroy,
};

int tui_inspect_open(const char *path)
{
    struct inspect *in = rel_calloc(1, sizeof(*in));
    in->path = rel_strdup(path);
    in->tarball = !rel_fs_is_dir(path);
    tui_list_init(&in->list, row_text, NULL, in);
    int rc = load(in);
    if (rc < 0) {
        struct tui_view fake = {.data = in};
        destroy(&fake);
        return rc;
    }
    tui_list_set_count(&in->list, in->n);
    char *base = rel_path_basename(path);
    tui_push(&inspect_ops, in, base);
    free(base);
    return 0;
}
