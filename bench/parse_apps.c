/*
 * parse_apps.c - how long does parsing every installed .app file take?
 *
 * Built and run by bench/parse_apps.sh. Arguments: directories whose
 * DIR/APP/ebin/APP.app files are parsed (default: the OTP and Elixir lib dirs).
 * Prints the best of several runs, once including reading the files and
 * once parsing text already in memory. Not a test: the target is "well
 * under 100 ms" for all OTP .app files.
 */
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/term.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RUNS = 20 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *defaults[] = {"/usr/lib/erlang/lib", "/usr/lib/elixir/lib"};
    const char **dirs = argc > 1 ? (const char **)argv + 1 : defaults;
    int ndirs = argc > 1 ? argc - 1 : 2;
    char **paths = NULL;
    size_t n = 0;
    for (int d = 0; d < ndirs; d++) {
        DIR *lib = opendir(dirs[d]);
        if (!lib)
            continue;
        struct dirent *app;
        while ((app = readdir(lib))) {
            if (app->d_name[0] == '.')
                continue;
            char *ebin = rel_asprintf("%s/%s/ebin", dirs[d], app->d_name);
            DIR *e = opendir(ebin);
            struct dirent *f;
            while (e && (f = readdir(e))) {
                size_t l = strlen(f->d_name);
                if (l > 4 && strcmp(f->d_name + l - 4, ".app") == 0) {
                    paths = rel_reallocarray(paths, n + 1, sizeof(char *));
                    paths[n++] = rel_asprintf("%s/%s", ebin, f->d_name);
                }
            }
            if (e)
                closedir(e);
            free(ebin);
        }
        closedir(lib);
    }
    if (n == 0) {
        fprintf(stderr, "no .app files found\n");
        return 1;
    }
    struct rel_buf *texts = rel_calloc(n, sizeof(*texts));
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (rel_fs_read_file(&texts[i], paths[i], REL_TERM_MAX_INPUT) < 0) {
            fprintf(stderr, "%s\n", rel_error_message());
            return 1;
        }
        bytes += texts[i].len;
    }
    double best_read = 1e9, best_parse = 1e9;
    for (int run = 0; run < RUNS; run++) {
        double t0 = now_ms();
        for (size_t i = 0; i < n; i++) {
            struct rel_terms ts = {0};
            if (rel_term_consult(&ts, paths[i]) < 0) {
                fprintf(stderr, "%s\n", rel_error_message());
                return 1;
            }
            rel_terms_free(&ts);
        }
        double t1 = now_ms();
        for (size_t i = 0; i < n; i++) {
            struct rel_terms ts = {0};
            if (rel_term_parse(&ts, texts[i].ptr, texts[i].len, paths[i]) < 0)
                return 1;
            rel_terms_free(&ts);
        }
        double t2 = now_ms();
        if (t1 - t0 < best_read)
            best_read = t1 - t0;
        if (t2 - t1 < best_parse)
            best_parse = t2 - t1;
    }
    printf("%zu .app files, %zu KiB: %.2f ms to read and parse all, %.2f ms to parse "
           "(best of %d runs)\n",
           n, bytes / 1024, best_read, best_parse, RUNS);
    for (size_t i = 0; i < n; i++) {
        rel_buf_free(&texts[i]);
        free(paths[i]);
    }
    free(texts);
    free(paths);
    return 0;
}
