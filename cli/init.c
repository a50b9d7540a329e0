/*
 * init.c - `relman init`: write relman.yml (logic: core/import.c), with the
 * same choices the TUI's guided first release offers.
 */
#include "cli.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/import.h"

#include <stdio.h>
#include <string.h>

enum {
    OPT_IMPORT = 256,
    OPT_ENV,
    OPT_RELEASE,
    OPT_NAME,
    OPT_VERSION,
    OPT_ERTS,
    OPT_COOKIE,
    OPT_COOKIE_FILE,
    OPT_TEMPLATES,
};

/* The first line of FILE (a cookie), into buf. */
static int read_cookie(const char *file, char *buf, size_t size)
{
    struct rel_buf b = REL_BUF_INIT;
    int rc = rel_fs_read_file(&b, file, 4096);
    if (rc == 0) {
        size_t n = strcspn(rel_buf_cstr(&b), "\r\n");
        if (n == 0 || n >= size)
            rc = rel_error_set(REL_EINVAL,
                               "%s: the cookie must be its first line, 1 to %zu "
                               "characters",
                               file, size - 1);
        else
            snprintf(buf, size, "%.*s", (int)n, b.ptr);
        memset(b.ptr, 0, b.len);
    }
    rel_buf_free(&b);
    return rc;
}

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"import", no_argument, NULL, OPT_IMPORT},
        {"force", no_argument, NULL, 'f'},
        {"env", required_argument, NULL, OPT_ENV},
        {"release", required_argument, NULL, OPT_RELEASE},
        {"name", required_argument, NULL, OPT_NAME},
        {"version", required_argument, NULL, OPT_VERSION},
        {"include-erts", required_argument, NULL, OPT_ERTS},
        {"cookie", required_argument, NULL, OPT_COOKIE},
        {"cookie-file", required_argument, NULL, OPT_COOKIE_FILE},
        {"templates", no_argument, NULL, OPT_TEMPLATES},
        {NULL, 0, NULL, 0},
    };
    struct rel_import_opts opts = {0};
    struct rel_import_choice choice = {0};
    const char *cookie_file = NULL;
    bool force = false;
    int c;
    while ((c = cli_getopt(argc, argv, "f", longopts)) != -1) {
        switch (c) {
        case OPT_IMPORT:
            opts.import = true;
            break;
        case 'f':
            force = true;
            break;
        case OPT_ENV:
            opts.env = optarg;
            break;
        case OPT_RELEASE:
            choice.release = optarg;
            break;
        case OPT_NAME:
            choice.name = optarg;
            break;
        case OPT_VERSION:
            choice.version = optarg;
            break;
        case OPT_ERTS:
            if (strcmp(optarg, "true") == 0)
                choice.erts = REL_IMPORT_ERTS_TRUE;
            else if (strcmp(optarg, "false") == 0)
                choice.erts = REL_IMPORT_ERTS_FALSE;
            else
                return cli_usage_error("init", "--include-erts takes true or false, not '%s'",
                                       optarg);
            break;
        case OPT_COOKIE:
            if (strcmp(optarg, "generated") == 0)
                choice.cookie = REL_IMPORT_COOKIE_GENERATED;
            else if (strcmp(optarg, "configured") == 0)
                choice.cookie = REL_IMPORT_COOKIE_CONFIGURED;
            else
                return cli_usage_error("init",
                                       "--cookie takes generated or configured, not '%s' (a "
                                       "cookie value goes in a file: --cookie-file FILE)",
                                       optarg);
            break;
        case OPT_COOKIE_FILE:
            cookie_file = optarg;
            choice.cookie = REL_IMPORT_COOKIE_CONFIGURED;
            break;
        case OPT_TEMPLATES:
            opts.templates = true;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
    char cookie[256];
    if (cookie_file) {
        if (read_cookie(cookie_file, cookie, sizeof(cookie)) < 0)
            return cli_core_error();
        choice.cookie_value = cookie;
    }
    if (choice.release || choice.name || choice.version || choice.erts || choice.cookie) {
        opts.choices = &choice;
        opts.nchoices = 1;
    }
    struct rel_buf summary = REL_BUF_INIT;
    int rc = rel_import_write(".", &opts, force, &summary);
    memset(cookie, 0, sizeof(cookie));
    if (rc < 0) {
        rel_buf_free(&summary);
        return cli_core_error();
    }
    if (!cli_globals.quiet)
        printf("wrote relman.yml (%s)\n", rel_buf_cstr(&summary));
    rel_buf_free(&summary);
    return CLI_OK;
}
