/*
 * tarstep.c - relman's tar step on its own, for bench/run.
 *
 *   tarstep OUT.tar.gz ROOT PATH...
 *
 * Packs ROOT/PATH... with rel_tarball_pack(), the call `relman assemble`
 * makes for the `tar` step (core/assemble.c, rel_assemble_tar), so the
 * benchmark can set it beside `tar czf` of the same paths without the
 * assembly around it. Built by bench/run against build/librelman_core.a.
 */
#include "core/error.h"
#include "core/tarball.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tarstep OUT.tar.gz ROOT PATH...\n");
        return 2;
    }
    if (rel_tarball_pack(argv[1], argv[2], (const char *const *)argv + 3, (size_t)(argc - 3), -1,
                         NULL) < 0) {
        fprintf(stderr, "tarstep: %s\n", rel_error_message());
        return 1;
    }
    return 0;
}
