/*
 * tui.c - `relman tui [PATH]`: the terminal UI (see docs/tui.md).
 */
#include "cli.h"

#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_tui(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"theme", required_argument, NULL, 't'}, {"no-color", no_argument, NULL, 'n'},
        {"ascii", no_argument, NULL, 'a'},       {"script", required_argument, NULL, 's'},
        {"dump", required_argument, NULL, 'd'},  {"size", required_argument, NULL, 'z'},
        {"keys", no_argument, NULL, 'k'},        {NULL, 0, NULL, 0},
    };
    struct tui_options opts = {0};
    /* `relman --no-color tui` on a terminal: the global flag turned colour
     * off although stdout is a tty. */
    opts.no_color = !cli_globals.color && isatty(STDOUT_FILENO);
    int c;
    while ((c = cli_getopt(argc, argv, "", longopts)) != -1) {
        switch (c) {
        case 't':
            opts.theme = optarg;
            break;
        case 'n':
            opts.no_color = true;
            break;
        case 'a':
            opts.ascii = true;
            break;
        case 's':
            opts.script = optarg;
            break;
        case 'd':
            opts.dump_dir = optarg;
            break;
        case 'z': {
            char extra;
            if (sscanf(optarg, "%dx%d%c", &opts.cols, &opts.lines, &extra) != 2 || opts.cols < 1 ||
                opts.lines < 1 || opts.cols > 1000 || opts.lines > 1000)
                return cli_usage_error("tui", "--size needs COLSxLINES (e.g. 80x24), not '%s'",
                                       optarg);
            break;
        }
        case 'k':
            tui_print_keys(stdout);
            return CLI_OK;
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        opts.path = argv[optind++];
    if (optind < argc)
        return cli_usage_error("tui", "unexpected argument '%s'", argv[optind]);
    if (tui_run(&opts) < 0)
        return cli_core_error();
    return CLI_OK;
}
