/*
 * bootorder.h - the order in which a release's applications start, exactly
 * as `systools:make_script` computes it: every application's top application
 * (the one that includes it, transitively) replaces it among the uses of
 * others, uses and includes are sorted by .rel position, and a stable
 * topological sort puts each application after what it uses and includes.
 */
#ifndef REL_BOOTORDER_H
#define REL_BOOTORDER_H

#include <stdbool.h>

struct rel_buf;
struct rel_model;

/*
 * Order the applications of `m` (its .rel order and each .app's
 * applications and included_applications). When every application can be
 * placed, sets m->boot and m->nboot (indices into m->apps, in boot order)
 * and every app's boot_index, and returns false. On a dependency cycle,
 * leaves m->boot NULL, appends the cycle to `cycle` ("a -> b -> a"), points
 * *cycle_app at the name of the application it was found at (borrowed from
 * the project) and returns true. Applications that cannot be placed for
 * another reason (a missing dependency, reported by resolution) leave
 * m->boot NULL and return false. An empty model has no boot order.
 */
bool rel_bootorder(struct rel_model *m, struct rel_buf *cycle, const char **cycle_app);

#endif
