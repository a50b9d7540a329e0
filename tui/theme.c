/*
 * theme.c - roles, theme files and their curses attributes.
 */
#include "tui/theme.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"

#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RELMAN_THEMES_DIR
#define RELMAN_THEMES_DIR ""
#endif

/* Theme files are small; anything bigger is not a theme. */
#define THEME_FILE_MAX (64 * 1024)

static const struct {
    const char *name, *desc;
} roles[TUI_ROLE_COUNT] = {
#define X(id, n, d) [TUI_ROLE_##id] = {n, d},
    TUI_ROLE_TABLE
#undef X
};

/* The attributes curses uses for each role, after tui_theme_apply(). */
static unsigned long role_attr[TUI_ROLE_COUNT];

/* The theme in use (tui_theme_choose) and whether colour is off. */
static struct tui_theme current;
static bool no_colour;

const char *tui_role_name(enum tui_role r)
{
    return (unsigned)r < TUI_ROLE_COUNT ? roles[r].name : "?";
}

const char *tui_role_describe(enum tui_role r)
{
    return (unsigned)r < TUI_ROLE_COUNT ? roles[r].desc : "?";
}

int tui_role_find(const char *name)
{
    for (int i = 0; i < TUI_ROLE_COUNT; i++)
        if (strcmp(roles[i].name, name) == 0)
            return i;
    return -1;
}

#ifndef RELMAN_INSTALLED_THEMES_DIR
#define RELMAN_INSTALLED_THEMES_DIR ""
#endif

/* PREFIX/share/relman/themes for the binary PREFIX/bin/relman (what
 * `cmake --install` and the Debian package lay out); without /proc (a bare
 * chroot), the directory of the configured install prefix; or NULL. */
static char *installed_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return RELMAN_INSTALLED_THEMES_DIR[0] ? rel_strdup(RELMAN_INSTALLED_THEMES_DIR) : NULL;
    exe[n] = '\0';
    char *bin = rel_path_dirname(exe);
    char *dir = rel_asprintf("%s/../share/relman/themes", bin);
    char *norm = rel_path_normalize(dir);
    free(bin);
    free(dir);
    return norm;
}

const char *tui_theme_source_dir(void)
{
    return RELMAN_THEMES_DIR;
}

static const char *const colour_names[] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

/* -1 for default, 0-255, or -2 when unknown. */
static short parse_colour(const char *s)
{
    if (strcmp(s, "default") == 0)
        return -1;
    bool bright = strncmp(s, "bright-", 7) == 0;
    const char *base = bright ? s + 7 : s;
    for (short i = 0; i < 8; i++)
        if (strcmp(base, colour_names[i]) == 0)
            return (short)(i + (bright ? 8 : 0));
    if (strncmp(s, "color", 5) == 0 && isdigit((unsigned char)s[5])) {
        char *end;
        long n = strtol(s + 5, &end, 10);
        if (*end == '\0' && n >= 0 && n <= 255)
            return (short)n;
    }
    return -2;
}

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"normal", 0},
    {"bold", TUI_ATTR_BOLD},
    {"dim", TUI_ATTR_DIM},
    {"underline", TUI_ATTR_UNDERLINE},
    {"reverse", TUI_ATTR_REVERSE},
    {"standout", TUI_ATTR_STANDOUT},
    {"italic", TUI_ATTR_ITALIC},
};

/* Split `line` in place into at most `max` whitespace-separated words. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (n == max)
            return max + 1;
        words[n++] = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

int tui_theme_parse(struct tui_theme *out, const char *text, const char *origin)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < TUI_ROLE_COUNT; i++)
        out->role[i] = (struct tui_style){-1, -1, 0, false};

    int lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[512];
        if (len >= sizeof(line))
            return rel_error_set(REL_ECONFIG, "%s:%d: line too long", origin, lineno);
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);

        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        /* Attributes may be separated by commas: treat them as blanks. */
        char *words[12];
        int n = split_words(line, words, 10);
        if (n == 0)
            continue;
        if (n > 10)
            return rel_error_set(REL_ECONFIG, "%s:%d: too many fields", origin, lineno);
        if (n < 3)
            return rel_error_set(REL_ECONFIG,
                                 "%s:%d: expected 'ROLE FOREGROUND BACKGROUND [ATTRIBUTES]'",
                                 origin, lineno);
        int role = tui_role_find(words[0]);
        if (role < 0)
            return rel_error_set(REL_ECONFIG, "%s:%d: unknown role '%s'", origin, lineno, words[0]);
        short fg = parse_colour(words[1]), bg = parse_colour(words[2]);
        if (fg == -2 || bg == -2)
            return rel_error_set(REL_ECONFIG, "%s:%d: unknown colour '%s'", origin, lineno,
                                 fg == -2 ? words[1] : words[2]);
        unsigned attrs = 0;
        for (int w = 3; w < n; w++) {
            char *save = NULL;
            for (char *a = strtok_r(words[w], ",", &save); a; a = strtok_r(NULL, ",", &save)) {
                size_t k;
                for (k = 0; k < sizeof(attr_names) / sizeof(attr_names[0]); k++)
                    if (strcmp(a, attr_names[k].name) == 0)
                        break;
                if (k == sizeof(attr_names) / sizeof(attr_names[0]))
                    return rel_error_set(REL_ECONFIG, "%s:%d: unknown attribute '%s'", origin,
                                         lineno, a);
                attrs |= attr_names[k].bit;
            }
        }
        out->role[role] = (struct tui_style){fg, bg, attrs, true};
    }
    /* Roles the file leaves out look like `default`. */
    for (int i = 1; i < TUI_ROLE_COUNT; i++)
        if (!out->role[i].set) {
            out->role[i] = out->role[TUI_ROLE_DEFAULT];
            out->role[i].set = false;
        }
    return 0;
}

static int load_file(struct tui_theme *out, const char *path, const char *name)
{
    struct rel_buf text = REL_BUF_INIT;
    int rc = rel_fs_read_file(&text, path, THEME_FILE_MAX);
    if (rc == 0)
        rc = tui_theme_parse(out, rel_buf_cstr(&text), path);
    if (rc == 0)
        snprintf(out->name, sizeof(out->name), "%s", name);
    rel_buf_free(&text);
    return rc;
}

static bool valid_name(const char *name)
{
    if (!name[0] || strlen(name) > 48)
        return false;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
            return false;
    return true;
}

int tui_theme_load(struct tui_theme *out, const char *name)
{
    if (strchr(name, '/')) {
        char *base = rel_path_basename(name);
        char *dot = strrchr(base, '.');
        if (dot)
            *dot = '\0';
        int rc = load_file(out, name, base);
        free(base);
        return rc;
    }
    if (!valid_name(name))
        return rel_error_set(REL_ENOTFOUND, "bad theme name '%s'", name);

    const char *dirs[4];
    char *xdg_dir = NULL, *installed = installed_dir();
    int ndirs = 0;
    const char *env = getenv("RELMAN_THEMES_DIR");
    if (env && env[0])
        dirs[ndirs++] = env;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0])
        xdg_dir = rel_asprintf("%s/relman/themes", xdg);
    else if (home && home[0])
        xdg_dir = rel_asprintf("%s/.config/relman/themes", home);
    if (xdg_dir)
        dirs[ndirs++] = xdg_dir;
    if (RELMAN_THEMES_DIR[0])
        dirs[ndirs++] = RELMAN_THEMES_DIR;
    if (installed)
        dirs[ndirs++] = installed;

    int rc = 1;
    for (int i = 0; i < ndirs && rc == 1; i++) {
        char *path = rel_asprintf("%s/%s.theme", dirs[i], name);
        if (rel_fs_is_file(path))
            rc = load_file(out, path, name);
        free(path);
    }
    free(xdg_dir);
    free(installed);
    if (rc != 1)
        return rc;

    const char *builtin = tui_theme_builtin(name);
    if (builtin) {
        char origin[80];
        snprintf(origin, sizeof(origin), "built-in theme %s", name);
        rc = tui_theme_parse(out, builtin, origin);
        if (rc == 0)
            snprintf(out->name, sizeof(out->name), "%s", name);
        return rc;
    }
    struct rel_buf known = REL_BUF_INIT;
    for (int i = 0; tui_theme_builtin_names[i]; i++)
        rel_buf_printf(&known, "%s%s", i ? ", " : "", tui_theme_builtin_names[i]);
    rc = rel_error_set(REL_ENOTFOUND, "unknown theme '%s' (built in: %s)", name,
                       rel_buf_cstr(&known));
    rel_buf_free(&known);
    return rc;
}

static unsigned long curses_attrs(unsigned a)
{
    unsigned long r = A_NORMAL;
    if (a & TUI_ATTR_BOLD)
        r |= A_BOLD;
    if (a & TUI_ATTR_DIM)
        r |= A_DIM;
    if (a & TUI_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & TUI_ATTR_REVERSE)
        r |= A_REVERSE;
    if (a & TUI_ATTR_STANDOUT)
        r |= A_STANDOUT;
#ifdef A_ITALIC
    if (a & TUI_ATTR_ITALIC)
        r |= A_ITALIC;
#endif
    return r;
}

/* A colour the terminal can show: bright colours become their base colour
 * (plus bold for a foreground) on 8-colour terminals. */
static short fit_colour(short c, bool *bold)
{
    if (c < 0 || c < COLORS)
        return c;
    if (c >= 8 && c < 16) {
        if (bold)
            *bold = true;
        return (short)(c - 8);
    }
    return -1;
}

bool tui_theme_apply(const struct tui_theme *t, bool color)
{
    color = color && has_colors();
    if (color && start_color() != OK)
        color = false;
    if (color)
        use_default_colors();
    for (int i = 0; i < TUI_ROLE_COUNT; i++) {
        const struct tui_style *s = &t->role[i];
        unsigned long a = curses_attrs(s->attrs);
        if (color && i + 1 < COLOR_PAIRS) {
            bool bold = false;
            short fg = fit_colour(s->fg, &bold), bg = fit_colour(s->bg, NULL);
            if (fg != -1 || bg != -1) {
                init_pair((short)(i + 1), fg, bg);
                a |= COLOR_PAIR(i + 1);
            }
            if (bold)
                a |= A_BOLD;
        }
        role_attr[i] = a;
    }
    return color;
}

unsigned long tui_theme_attr(enum tui_role r)
{
    return (unsigned)r < TUI_ROLE_COUNT ? role_attr[r] : A_NORMAL;
}

void tui_theme_set_no_color(bool no_color)
{
    no_colour = no_color;
}

bool tui_theme_no_color(void)
{
    return no_colour;
}

int tui_theme_choose(const char *name)
{
    struct tui_theme t;
    int rc = tui_theme_load(&t, no_colour ? "monochrome" : name);
    if (rc < 0)
        return rc;
    current = t;
    return 0;
}

bool tui_theme_use(bool color)
{
    return tui_theme_apply(&current, color);
}

const char *tui_theme_name(void)
{
    return current.name;
}
