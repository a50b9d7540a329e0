/*
 * data.h - text files compiled into relman.
 *
 * Every file in core/data/ (the bin script template, the ERTS launcher, the
 * default vm.args/env.sh texts, ...) is embedded at build time by
 * cmake/embed.cmake, so the texts stay readable and diffable in the
 * repository and relman needs no data directory at run time. To add one:
 * drop the file in core/data/ and look it up by its file name.
 */
#ifndef REL_DATA_H
#define REL_DATA_H

#include <stddef.h>

struct rel_data_file {
    const char *name; /* file name in core/data/ */
    const char *text; /* contents, NUL-terminated */
    size_t len;       /* length without the NUL */
};

extern const struct rel_data_file rel_data_files[];
extern const unsigned rel_data_file_count;

/* The embedded file called `name`, or NULL. *len (optional) gets its length. */
const char *rel_data_get(const char *name, size_t *len);

#endif
