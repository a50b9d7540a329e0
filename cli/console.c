/*
 * console.c - `relman remote TARGET`: the node's remote console
 * (`bin/NAME remote`) in a PTY over SSH (logic: remote/console.c).
 */
#include "cli.h"
#include "remote_cli.h"

#include "core/buf.h"
#include "core/error.h"
#include "remote/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_remote(int argc, char **argv)
{
    struct cli_remote c = {.cmd = "remote"};
    if (cli_remote_options(&c, argc, argv, false) != CLI_OK)
        return CLI_USAGE;
    if (argc - optind != 1)
        return cli_usage_error("remote", "name one target");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return cli_error("remote: the console needs a terminal on stdin and stdout");
    int rc = cli_remote_load(&c, argv + optind, 1, NULL);
    if (rc != CLI_OK) {
        cli_remote_free(&c);
        return rc;
    }
    const struct rel_remote_target *t = &c.targets[0];
    struct rel_ssh_session *s = NULL;
    if (rel_target_session_new(&s, t, c.have_prompts ? &c.prompts : NULL, &c, &c.events, 0) < 0 ||
        rel_ssh_drive(s, rel_ssh_session_step_cb, s) < 0) {
        rc = cli_core_error();
        rel_ssh_session_free(s);
        cli_remote_free(&c);
        return rc;
    }
    struct rel_buf cmd = REL_BUF_INIT, banner = REL_BUF_INIT;
    rel_console_command(&cmd, t);
    rel_console_banner(&banner, t, rel_ssh_session_peer(s));
    /* each line with our prefix */
    char *save = NULL;
    for (char *line = strtok_r(banner.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        fprintf(stderr, "relman: %s\n", line);
    rel_buf_free(&banner);
    fflush(stderr);
    struct rel_console_opts co = {.in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO, .target = t};
    int status = rel_console_run(s, rel_buf_cstr(&cmd), &co);
    rel_buf_free(&cmd);
    if (status == REL_ECANCELED) {
        fprintf(stderr, "\r\nrelman: %s: %s\n", t->name, rel_error_message());
        rc = CLI_OK;
    } else if (status < 0) {
        fputs("\r\n", stderr);
        rc = cli_core_error();
    } else {
        fprintf(stderr, "\r\nrelman: left the %s console (exit status %d)\n", t->name, status);
        /* Ctrl-C twice is the documented way out. Depending on timing the
         * second one ends the BREAK menu (status 0) or reaches the remote
         * start script as SIGINT (128 + 2); both are a normal leave. */
        rc = status == 0 || status == 128 + 2 ? CLI_OK : CLI_FAIL;
    }
    rel_ssh_session_free(s);
    cli_remote_free(&c);
    return rc;
}
