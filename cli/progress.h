/*
 * progress.h - the CLI's event sink (core/event.h): a progress line that
 * redraws itself on a terminal (stderr), and on a pipe only what matters
 * (warnings and errors, one line each). Quiet mode drops everything but
 * errors.
 */
#ifndef REL_CLI_PROGRESS_H
#define REL_CLI_PROGRESS_H

#include "core/event.h"

#include <stdbool.h>

struct cli_progress {
    struct rel_events ev; /* give &p->ev to core */
    bool tty;
    bool quiet;
    int verbose;
    char step[32];
    uint64_t files_total, bytes_total;
    double last_draw;
    bool drawn; /* a progress line is on screen */
};

void cli_progress_init(struct cli_progress *p, bool quiet, int verbose);
/* Clear the progress line, if one is shown. */
void cli_progress_clear(struct cli_progress *p);

#endif
