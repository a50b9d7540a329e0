/*
 * script.h - headless key scripts (RELMAN_TUI_SCRIPT, relman tui --script).
 *
 * One step per line; blank lines and lines starting with '#' are skipped:
 *
 *     jj<Enter>          keys: characters and <Names> (see keys.h)
 *     :dump apps         a command line: ':' + the text + <Enter>, typed
 *     @wait TEXT         wait (up to @timeout seconds, default 10) until
 *                        TEXT is on the screen; "@wait !TEXT" until it is not
 *     @timeout SECONDS   the limit for the following @wait steps
 *     @resize COLSxLINES resize the (virtual) terminal
 *     @sleep MS          let background work run for MS milliseconds
 *     @dump NAME         write the screen as `:dump NAME` does, without
 *                        typing (works while a prompt or menu is open)
 *
 * A @wait that times out ends the run with an error naming the script line.
 */
#ifndef TUI_SCRIPT_H
#define TUI_SCRIPT_H

#include <stddef.h>

struct tui_script;

enum tui_step_kind {
    TUI_STEP_KEY,
    TUI_STEP_WAIT,
    TUI_STEP_RESIZE,
    TUI_STEP_SLEEP,
    TUI_STEP_DUMP,
    TUI_STEP_END
};

struct tui_step {
    enum tui_step_kind kind;
    int key;         /* KEY */
    char text[256];  /* WAIT: the text looked for; DUMP: the name */
    int wait_absent; /* WAIT: wait until the text is gone */
    int timeout_ms;  /* WAIT */
    int lines, cols; /* RESIZE */
    int ms;          /* SLEEP */
    int lineno;      /* the script line of this step */
};

/* Open a script file. 0 or REL_E* (message names the path). */
int tui_script_open(struct tui_script **out, const char *path);
/* Parse script text (for tests); `origin` names it in errors. */
int tui_script_from_text(struct tui_script **out, const char *text, const char *origin);
void tui_script_free(struct tui_script *s);

/* The next step (TUI_STEP_END after the last). 0, or REL_EPARSE with
 * "SCRIPT:LINE: message" for a bad line. */
int tui_script_next(struct tui_script *s, struct tui_step *step);
/* "SCRIPT:LINE" of the step last returned, for error messages. */
const char *tui_script_where(const struct tui_script *s, char *buf, size_t size);

#endif
