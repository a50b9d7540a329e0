/*
 * inspect.c - `relman inspect PATH`: look inside the files a release is made
 * of. The kind of PATH decides what is shown; the kinds are the table below.
 *
 * How to add a kind: write a handler
 * `static int inspect_KIND(const char *path, const struct inspect_opts *o)`
 * and add a row to `kinds` (how to recognise it, its handler). Directories
 * are recognised before any file kind, so a handler for them only needs a
 * row with `.dir = true`.
 */
#include "cli.h"

#include "core/beam.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/etf.h"
#include "core/fs.h"
#include "core/inspect.h"
#include "core/json.h"
#include "core/term.h"

#include <stdio.h>
#include <string.h>

struct inspect_opts {
    bool print; /* term files: print the terms too */
    bool json;  /* JSON (every kind) */
};

/* Print a finished JSON document (or the error it recorded). */
static int put_json(struct rel_json *j, struct rel_buf *out)
{
    int rc = rel_json_finish(j) < 0 ? cli_core_error() : CLI_OK;
    if (rc == CLI_OK)
        fputs(rel_buf_cstr(out), stdout);
    rel_buf_free(out);
    return rc;
}

/* A .boot (or any external-term file): the term as consultable text, i.e.
 * what the .script would hold. */
static int inspect_boot(const char *path, const struct inspect_opts *o)
{
    struct rel_term *t;
    if (rel_etf_read_file(&t, path) < 0)
        return cli_core_error();
    struct rel_buf out = REL_BUF_INIT;
    int rc = rel_term_format_file(&out, t);
    rel_term_free(t);
    if (rc < 0) {
        rel_buf_free(&out);
        return cli_core_error();
    }
    if (o->json) {
        struct rel_buf js = REL_BUF_INIT;
        struct rel_json j;
        rel_json_init(&j, &js, true);
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "path", path);
        rel_json_kv_string(&j, "kind", "boot");
        rel_json_kv_string(&j, "script", rel_buf_cstr(&out));
        rel_json_object_end(&j);
        rel_buf_free(&out);
        return put_json(&j, &js);
    }
    fwrite(out.ptr, 1, out.len, stdout);
    rel_buf_free(&out);
    return CLI_OK;
}

static int beam_json(const char *path, const struct rel_beam *b)
{
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json j;
    rel_json_init(&j, &out, true);
    rel_json_object_begin(&j);
    rel_json_kv_string(&j, "path", path);
    rel_json_kv_string(&j, "kind", "beam");
    rel_json_kv_string(&j, "module", b->module);
    rel_json_kv_bool(&j, "compressed", b->compressed);
    rel_json_kv_int(&j, "file_size", (long long)b->file_size);
    rel_json_kv_int(&j, "size", (long long)b->len);
    rel_json_kv_int(&j, "atoms", (long long)b->natoms);
    rel_json_key(&j, "chunks");
    rel_json_array_begin(&j);
    for (size_t i = 0; i < b->nchunks; i++) {
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "id", b->chunks[i].id);
        rel_json_kv_int(&j, "size", (long long)b->chunks[i].len);
        rel_json_object_end(&j);
    }
    rel_json_array_end(&j);
    rel_json_object_end(&j);
    return put_json(&j, &out);
}

/* A .beam: the module, whether it is compressed, each chunk and its size. */
static int inspect_beam(const char *path, const struct inspect_opts *o)
{
    struct rel_beam b;
    if (rel_beam_read(&b, path) < 0)
        return cli_core_error();
    if (o->json) {
        int rc = beam_json(path, &b);
        rel_beam_free(&b);
        return rc;
    }
    printf("module: %s\n", b.module);
    if (b.compressed)
        printf("compressed: yes (gzip, %zu bytes; %zu bytes uncompressed)\n", b.file_size, b.len);
    else
        printf("compressed: no (%zu bytes)\n", b.file_size);
    printf("atoms: %zu\n", b.natoms);
    printf("chunks: %zu\n", b.nchunks);
    for (size_t i = 0; i < b.nchunks; i++)
        printf("  %-4s %10zu\n", b.chunks[i].id, b.chunks[i].len);
    rel_beam_free(&b);
    return CLI_OK;
}

/* A term file (.app, .rel, .script, sys.config, ...): does it parse? */
static int inspect_terms(const char *path, const struct inspect_opts *o)
{
    struct rel_terms ts = {0};
    if (rel_term_consult(&ts, path) < 0)
        return cli_core_error();
    int rc = CLI_OK;
    if (o->json) {
        struct rel_buf out = REL_BUF_INIT;
        struct rel_json j;
        rel_json_init(&j, &out, true);
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "path", path);
        rel_json_kv_string(&j, "kind", "terms");
        rel_json_kv_bool(&j, "ok", true);
        rel_json_kv_int(&j, "terms", (long long)ts.len);
        rel_json_object_end(&j);
        rc = put_json(&j, &out);
    } else if (o->print) {
        struct rel_buf out = REL_BUF_INIT;
        int prc = rel_buf_puts(&out, "%% coding: utf-8\n");
        for (size_t i = 0; i < ts.len && prc == 0; i++) {
            prc = rel_term_print(&out, ts.items[i], REL_TERM_PRINT_PRETTY);
            if (prc == 0)
                prc = rel_buf_puts(&out, ".\n");
        }
        if (prc < 0)
            rc = cli_core_error();
        else
            fwrite(out.ptr, 1, out.len, stdout);
        rel_buf_free(&out);
    } else {
        printf("%s: ok, %zu term%s\n", path, ts.len, ts.len == 1 ? "" : "s");
    }
    rel_terms_free(&ts);
    return rc;
}

/* A release directory or tarball (core/inspect.h): name, versions, ERTS,
 * applications and modes, cookie present (never its value). */
static int inspect_release(const char *path, const struct inspect_opts *o)
{
    struct rel_inspect *i = NULL;
    if (rel_inspect_path(&i, path) < 0)
        return cli_core_error();
    struct rel_buf out = REL_BUF_INIT;
    int rc = CLI_OK;
    if (rel_inspect_format(&out, i, o->json) < 0)
        rc = cli_core_error();
    else
        fwrite(out.ptr, 1, out.len, stdout);
    /* a problem is something deploy (or the node) would trip on: exit 1 */
    if (rc == CLI_OK && i->nproblems > 0)
        rc = CLI_FAIL;
    rel_buf_free(&out);
    rel_inspect_free(i);
    return rc;
}

enum sniff { S_ANY, S_ETF, S_BEAM };

struct inspect_kind {
    const char *what;   /* for messages */
    bool dir;           /* matches directories */
    const char *suffix; /* matches names ending so (NULL: none) */
    enum sniff sniff;   /* or files whose content starts so */
    int (*run)(const char *path, const struct inspect_opts *o);
};

static const struct inspect_kind kinds[] = {
    {"release directory", true, NULL, S_ANY, inspect_release},
    {"release tarball", false, ".tar.gz", S_ANY, inspect_release},
    {"release tarball", false, ".tgz", S_ANY, inspect_release},
    {"release tarball", false, ".tar", S_ANY, inspect_release},
    {"boot file", false, ".boot", S_ETF, inspect_boot},
    {"BEAM file", false, ".beam", S_BEAM, inspect_beam},
    {"application resource file", false, ".app", S_ANY, inspect_terms},
    {"application upgrade file", false, ".appup", S_ANY, inspect_terms},
    {"release resource file", false, ".rel", S_ANY, inspect_terms},
    {"boot script", false, ".script", S_ANY, inspect_terms},
    {"release upgrade file", false, ".relup", S_ANY, inspect_terms},
    {"config file", false, ".config", S_ANY, inspect_terms},
    {"releases file", false, "RELEASES", S_ANY, inspect_terms},
    {"term file", false, ".term", S_ANY, inspect_terms},
    {"Erlang term file", false, ".eterm", S_ANY, inspect_terms},
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Content of an unknown name: external term (131), BEAM (FOR1 or gzip). */
static enum sniff sniff_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return S_ANY;
    unsigned char b[4] = {0};
    size_t n = fread(b, 1, 4, f);
    fclose(f);
    if (n >= 1 && b[0] == 131)
        return S_ETF;
    if ((n == 4 && memcmp(b, "FOR1", 4) == 0) || (n >= 2 && b[0] == 0x1F && b[1] == 0x8B))
        return S_BEAM;
    return S_ANY;
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"print", no_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct inspect_opts o = {false, false};
    int c;
    while ((c = cli_getopt(argc, argv, "p", longopts)) != -1) {
        switch (c) {
        case 'p':
            o.print = true;
            break;
        case 'j':
            o.json = true;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (argc - optind < 1)
        return cli_usage_error("inspect", "say which file to inspect");
    if (argc - optind > 1)
        return cli_usage_error("inspect", "unexpected argument '%s'", argv[optind + 1]);
    const char *path = argv[optind];
    if (!rel_fs_exists(path))
        return cli_error("%s: no such file or directory", path);
    bool dir = rel_fs_is_dir(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const size_t n = sizeof(kinds) / sizeof(kinds[0]);
    for (size_t i = 0; i < n; i++)
        if (kinds[i].dir == dir && (dir || (kinds[i].suffix && ends_with(base, kinds[i].suffix))))
            return kinds[i].run(path, &o);
    if (!dir) {
        enum sniff s = sniff_file(path);
        for (size_t i = 0; s != S_ANY && i < n; i++)
            if (kinds[i].sniff == s)
                return kinds[i].run(path, &o);
    }
    return cli_usage_error("inspect",
                           "%s: not a file relman can inspect (a release directory or .tar.gz, "
                           ".boot, .beam, .app, .appup, .rel, .script, .relup, .config, "
                           "RELEASES)",
                           path);
}
