/*
 * init.c - `relman init [--import] [--force] [--env ENV]`: write relman.yml.
 */
#include "cli.h"

#include "core/buf.h"
#include "core/error.h"
#include "core/init.h"

#include <stdio.h>

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"import", no_argument, NULL, 'i'},
        {"force", no_argument, NULL, 'f'},
        {"env", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rel_init_opts opts = {0};
    bool force = false;
    int c;
    while ((c = cli_getopt(argc, argv, "hf", longopts)) != -1) {
        switch (c) {
        case 'i':
            opts.import = true;
            break;
        case 'f':
            force = true;
            break;
        case 'e':
            opts.env = optarg;
            break;
        case 'h':
            cli_print_command_help(cli_find_command("init"));
            return CLI_OK;
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
    struct rel_buf summary = REL_BUF_INIT;
    int rc = rel_init_write(".", &opts, force, &summary);
    if (rc < 0) {
        rel_buf_free(&summary);
        return cli_core_error();
    }
    if (!cli_globals.quiet)
        printf("wrote relman.yml (%s)\n", rel_buf_cstr(&summary));
    rel_buf_free(&summary);
    return CLI_OK;
}
