#include "archive_dl.h"

#include "error.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

/* RELMAN_LIBARCHIVE_SONAME comes from CMake, read from the library it found. */

struct rel_archive_api rel_archive;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[256]; /* empty when loaded */

static void load(void)
{
    void *h = dlopen(RELMAN_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(failure, sizeof(failure), "%s", why ? why : "not found");
        return;
    }
#define REL_AR_LOAD(f)                                                                             \
    if (!failure[0]) {                                                                             \
        *(void **)&rel_archive.f = dlsym(h, #f);                                                   \
        if (!rel_archive.f)                                                                        \
            snprintf(failure, sizeof(failure), "%s has no %s", RELMAN_LIBARCHIVE_SONAME, #f);      \
    }
    REL_ARCHIVE_FUNCS(REL_AR_LOAD)
#undef REL_AR_LOAD
}

int rel_archive_load(void)
{
    pthread_once(&once, load);
    if (failure[0])
        return rel_error_set(REL_EIO, "cannot load libarchive (%s): %s", RELMAN_LIBARCHIVE_SONAME,
                             failure);
    return 0;
}
