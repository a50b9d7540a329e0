/*
 * attach.h - Attach: a node's remote console on this terminal.
 *
 * The connection is made before, in the background (its host key and
 * passphrase questions are dialogs). Then curses is left (tui_external:
 * def_prog_mode, endwin), the node's remote console runs on the terminal
 * (remote/console.h, the code `relman remote TARGET` runs), and the screen
 * comes back redrawn.
 */
#ifndef TUI_ATTACH_H
#define TUI_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

struct rel_remote_target;
struct rel_ssh_session;
struct tui_cmdlog;

/*
 * Run the remote console of target `t` (called `name` in the log) over the
 * connected session `s` (still the caller's after), with the terminal
 * handed over. A console that fails at once waits for <Enter> first, so
 * its words can be read. The step and how it ended go to `log`; how it
 * ended also into `out` (size `size`: "left the foo console on a1", "attach
 * a1: ..."). Returns whether that is an error.
 */
bool tui_attach_console(const struct rel_remote_target *t, const char *name,
                        struct rel_ssh_session *s, struct tui_cmdlog *log, char *out, size_t size);

#endif
