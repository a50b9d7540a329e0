/*
 * assemble_int.h - what the files of the assembly module share; not for use
 * outside them (everything else uses core/assemble.h). The module is
 * written in two files along one seam:
 *   assemble.c        the executor: the manifest, the tree built beside
 *                     the final path, the lock and recovery, the swap;
 *   assemble_steps.c  the steps around it: hooks, tar, rel_assemble_run.
 */
#ifndef REL_ASSEMBLE_INT_H
#define REL_ASSEMBLE_INT_H

#include "assemble.h"

#include <stdbool.h>

/* o->canceled asked (false without one, or without `o`). */
bool rel_assemble_is_canceled(const struct rel_assemble_opts *o);
/* REL_ECANCELED with the message for a cancel before the swap (the release
 * at its path was not touched) or after it (the steps after did not run). */
int rel_assemble_cancel_error(bool after_swap);

#endif
