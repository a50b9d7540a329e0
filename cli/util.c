/*
 * util.c - global settings, error lines and getopt (see util.h).
 */
#include "util.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct cli_globals cli_globals;

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("relman: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAIL;
}

int cli_core_error(void)
{
    return cli_error("%s", rel_error_message());
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("relman: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, " (see 'relman help %s')\n", cmd);
    else
        fputs(" (see 'relman --help')\n", stderr);
    return CLI_USAGE;
}

static const char *expect_cmd;
static const struct cli_option *expect_opts;

void cli_getopt_expect(const char *cmd, const struct cli_option *opts)
{
    expect_cmd = cmd;
    expect_opts = opts;
}

static const struct cli_option *expected_long(const char *name)
{
    for (const struct cli_option *o = expect_opts; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

static bool expected_short(char letter)
{
    for (const struct cli_option *o = expect_opts; o && o->name; o++)
        if (o->letter == letter)
            return true;
    return false;
}

/*
 * The handler's getopt tables against the command table: an option the
 * handler takes and the table lacks would be missing from help, completion
 * and the man page. A programming error, reported as such (tests/cli/
 * options.sh runs every command through here).
 */
static int check_expected(const char *shortopts, const struct option *longopts)
{
    if (!expect_opts)
        return 0;
    for (const struct option *o = longopts; o && o->name; o++)
        if (!expected_long(o->name)) {
            cli_error("internal error: '%s' takes --%s, which cli/commands.c does not list",
                      expect_cmd, o->name);
            return -1;
        }
    for (const char *p = shortopts; *p; p++)
        if (*p != ':' && !expected_short(*p)) {
            cli_error("internal error: '%s' takes -%c, which cli/commands.c does not list",
                      expect_cmd, *p);
            return -1;
        }
    return 0;
}

/* Report a bad long option: `name` is the argv word after "--" ("name" or
 * "name=value"). */
static void long_option_error(const char *cmd, const char *name, int c,
                              const struct option *longopts)
{
    size_t len = strcspn(name, "=");
    const struct option *exact = NULL, *first = NULL;
    size_t matches = 0;
    struct rel_buf all = REL_BUF_INIT;
    for (const struct option *o = longopts; o && o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len)
            exact = o;
        if (!first)
            first = o;
        matches++;
        rel_buf_printf(&all, "%s--%s", all.len ? ", " : "", o->name);
    }
    const struct option *o = exact ? exact : matches == 1 ? first : NULL;
    if (o && c == ':')
        cli_usage_error(cmd, "option '--%s' needs a value", o->name);
    else if (o && o->has_arg == no_argument && name[len] == '=')
        cli_usage_error(cmd, "option '--%s' takes no value", o->name);
    else if (matches > 1 && !exact)
        cli_usage_error(cmd, "ambiguous option '--%.*s' for '%s' (%s)", (int)len, name, cmd,
                        rel_buf_cstr(&all));
    else {
        char typed[128];
        snprintf(typed, sizeof(typed), "%.*s", (int)len, name);
        struct rel_suggest s;
        rel_suggest_init(&s, typed);
        for (const struct option *k = longopts; k && k->name; k++)
            rel_suggest_offer(&s, k->name, strlen(k->name));
        rel_suggest_offer(&s, "help", 4);
        if (s.best[0])
            cli_usage_error(cmd, "unknown option '--%s' for '%s'; did you mean '--%s'?", typed, cmd,
                            s.best);
        else
            cli_usage_error(cmd, "unknown option '--%s' for '%s'", typed, cmd);
    }
    rel_buf_free(&all);
}

/* `name` ("json=1") is a flag of longopts whose value is `val`. */
static bool takes_no_value(const struct option *longopts, const char *name, int val)
{
    size_t len = strcspn(name, "=");
    for (const struct option *o = longopts; o && o->name; o++)
        if (strncmp(o->name, name, len) == 0 && o->has_arg == no_argument && o->val == val)
            return true;
    return false;
}

/*
 * Why not argv[optind] before the call: GNU getopt permutes, skipping the
 * operands before an option (`apps foo --bogus`), so the word it choked on
 * is argv[optind - 1] after the call for a long option, and optopt for a
 * short one (which may sit inside a cluster such as -yx). A leading ':' in
 * the short options makes a missing value ':' rather than '?'.
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    const char *cmd = argv[0];
    if (check_expected(shortopts, longopts) < 0)
        return -2;
    char opts[64];
    snprintf(opts, sizeof(opts), ":%s", shortopts);
    opterr = 0;
    int c = getopt_long(argc, argv, opts, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    const char *word = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
    bool dashes = strncmp(word, "--", 2) == 0 && word[2];
    bool is_long;
    if (optopt == 0) /* unknown or ambiguous long option */
        is_long = true;
    else if (c == ':') /* the word that lacks its value is the last one */
        is_long = dashes;
    else /* --flag=value, or a short option after a long one (--json -x) */
        is_long = dashes && strchr(word, '=') && takes_no_value(longopts, word + 2, optopt);
    if (is_long && dashes)
        long_option_error(cmd, word + 2, c, longopts);
    else if (is_long)
        cli_usage_error(cmd, "unknown option '%s' for '%s'", word, cmd);
    else if (c == ':')
        cli_usage_error(cmd, "option '-%c' needs a value", optopt);
    else
        cli_usage_error(cmd, "unknown option '-%c' for '%s'", optopt, cmd);
    return -2;
}
