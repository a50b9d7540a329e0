/*
 * console.h - an interactive command in a PTY on a target, wired to the
 * local terminal (`relman remote TARGET`: the node's remote console).
 *
 * The local terminal is put in raw mode for the session and restored on every
 * way out: the remote side ends, the connection drops, the user types the
 * escape "~." at the start of a line, relman gets SIGTERM/SIGHUP/SIGINT.
 * Window size changes (SIGWINCH) are forwarded to the remote PTY. Callers
 * print their own banner first (the TUI ends curses mode before calling and
 * resumes it afterwards).
 */
#ifndef REL_CONSOLE_H
#define REL_CONSOLE_H

struct rel_ssh_session;

struct rel_remote_target;

struct rel_console_opts {
    int in_fd;  /* the terminal to read keys from (a tty) */
    int out_fd; /* where the remote output goes */
    /* The target whose env the command (rel_console_command()) needs: its
     * stdin is the terminal, so the env goes to a private file on the host
     * first (mode 0600, written from a command's stdin, under
     * PATH/shared/tmp), which the console command sources and removes before
     * it starts the node's console. NULL: the command needs no env. */
    const struct rel_remote_target *target;
};

/*
 * Run `command` in a PTY on the connected session `s`. Returns the remote
 * exit status (0..255, 128+N for a signal), REL_ECANCELED when the user
 * disconnected with "~.", or a negative code (lost connection, no terminal).
 */
int rel_console_run(struct rel_ssh_session *s, const char *command,
                    const struct rel_console_opts *opts);

struct rel_buf;

/* The console command of target `t`, as `relman remote` and the TUI's
 * Attach run it: `bin/RELEASE remote` of the current release, with the
 * node's environment (rel_layout_node_cmd(); run it with opts.target set). */
int rel_console_command(struct rel_buf *out, const struct rel_remote_target *t);

/* What to show before attaching: one line saying what is attached to where
 * (`peer` as rel_ssh_session_peer() gives it), one line saying how to
 * leave; each ends with '\n'. */
int rel_console_banner(struct rel_buf *out, const struct rel_remote_target *t, const char *peer);

#endif
