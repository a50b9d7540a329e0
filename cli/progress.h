/*
 * progress.h - the CLI's event sink (core/event.h): a progress line that
 * redraws itself on a terminal (stderr), and on a pipe only what matters
 * (warnings and errors, one line each). Quiet mode drops everything but
 * errors. The line shows the step, the share done, files and bytes in
 * human units, the rate and, once a second has passed, the time left:
 *   assemble  45%  276/613 files  9.4 MB/20.9 MB  31.0 MB/s  ETA 1 s
 */
#ifndef REL_CLI_PROGRESS_H
#define REL_CLI_PROGRESS_H

#include "core/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cli_progress {
    struct rel_events ev; /* give &p->ev to core */
    bool tty;
    bool quiet;
    int verbose;
    char step[32];
    uint64_t files_total, bytes_total;
    double started; /* when the step began */
    double last_draw;
    bool drawn; /* a progress line is on screen */
};

void cli_progress_init(struct cli_progress *p, bool quiet, int verbose);
/* Clear the progress line, if one is shown. */
void cli_progress_clear(struct cli_progress *p);

/* Times for the CLI's lines: "4 s", "2 min 05 s", "1 h 02 min" (sizes use
 * core/size.h's rel_size_human, the one rule). Write into out (size n) and
 * return it. */
const char *cli_human_seconds(char *out, size_t n, double seconds);

/*
 * "9.4 MB/20.9 MB  31.0 MB/s  ETA 1 s": `done` of `total` bytes (0:
 * unknown) after `seconds`; the rate and the time left once a second has
 * passed. The one such text of the CLI: the assembly line and the remote
 * upload line (cli/remote_cli.c) both use it.
 */
const char *cli_progress_bytes(char *out, size_t n, uint64_t done, uint64_t total, double seconds);

struct rel_assemble_stats;
/*
 * The line after an assembly: "relman: assembled NAME-VSN in WHERE (613
 * files, 20.9 MB; 12 written, 601 reused) in 0.40 s", or, when nothing had
 * to be written, "relman: NAME-VSN in WHERE is up to date (613 files, 20.9
 * MB; 0 written, 613 reused)".
 */
void cli_progress_assembled(FILE *out, const char *name, const char *version, const char *where,
                            const struct rel_assemble_stats *st);

#endif
