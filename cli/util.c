/*
 * util.c - global settings, error lines and getopt (see util.h).
 */
#include "util.h"

#include "core/error.h"

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

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    opterr = 0;
    int prev = optind;
    int c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == '?' || c == ':') {
        const char *cmd = argv[0];
        const char *word = prev < argc ? argv[prev] : "";
        if (c == ':' || (optopt && strchr(shortopts, optopt)))
            cli_usage_error(cmd, "option '%s' needs a value", word);
        else if (optopt)
            cli_usage_error(cmd, "unknown option '-%c' for '%s'", optopt, cmd);
        else
            cli_usage_error(cmd, "unknown option '%s' for '%s'", word, cmd);
        return -2;
    }
    return c;
}
