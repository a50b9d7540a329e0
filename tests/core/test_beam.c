/* Unit tests for core/beam: reading, listing and stripping BEAM files; and
 * the acceptance test that strips real OTP, Elixir and example beams and lets
 * the installed OTP load the result and compare it with beam_lib:strip/2. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/beam.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "core/proc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char *make_tmpdir(void)
{
    char *dir = rel_strdup("/tmp/relman-test-beam-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

/* An atom table chunk body: count, then length-prefixed names. */
static size_t atom_table(uint8_t *out, const char *const *names)
{
    size_t n = 0, pos = 4;
    for (; names[n]; n++) {
        size_t l = strlen(names[n]);
        out[pos++] = (uint8_t)l;
        memcpy(out + pos, names[n], l);
        pos += l;
    }
    out[0] = out[1] = out[2] = 0;
    out[3] = (uint8_t)n;
    return pos;
}

/* A small synthetic module with the chunks a compiler writes. */
static void synthetic(struct rel_buf *out, bool with_code, bool compress)
{
    static uint8_t atoms[64];
    const char *names[] = {"demo", "hello", "world", NULL};
    size_t alen = atom_table(atoms, names);
    struct rel_beam_chunk chunks[] = {
        {"AtU8", atoms, alen, 0},
        {"Code",
         (const uint8_t *)"\0\0\0\x10"
                          "code",
         8, 0},
        {"StrT", (const uint8_t *)"", 0, 0},
        {"ImpT", (const uint8_t *)"\0\0\0\0", 4, 0},
        {"ExpT", (const uint8_t *)"\0\0\0\0", 4, 0},
        {"Dbgi", (const uint8_t *)"debug", 5, 0},
        {"Docs", (const uint8_t *)"docs!", 5, 0},
        {"Attr", (const uint8_t *)"\x83\x6a", 2, 0},
        {"CInf", (const uint8_t *)"\x83\x6a", 2, 0},
        {"Line", (const uint8_t *)"line", 4, 0},
    };
    struct rel_beam_chunk *cs = chunks;
    size_t n = sizeof(chunks) / sizeof(chunks[0]);
    if (!with_code) {
        chunks[1] = chunks[0];
        cs++;
        n--;
    }
    assert_int_equal(rel_beam_build(out, cs, n, compress), 0);
}

static void expect_ids(const struct rel_beam *b, const char *const *ids)
{
    size_t n = 0;
    for (; ids[n]; n++) {
        assert_true(n < b->nchunks);
        assert_string_equal(b->chunks[n].id, ids[n]);
    }
    assert_int_equal(b->nchunks, n);
}

static void test_build_and_read(void **state)
{
    (void)state;
    struct rel_buf raw = REL_BUF_INIT;
    synthetic(&raw, true, false);
    /* header: FOR1, size = length - 8, BEAM; 4-byte padding everywhere */
    assert_memory_equal(raw.ptr, "FOR1", 4);
    assert_memory_equal(raw.ptr + 8, "BEAM", 4);
    const uint8_t *u = (const uint8_t *)raw.ptr;
    assert_int_equal((size_t)(u[4] << 24 | u[5] << 16 | u[6] << 8 | u[7]), raw.len - 8);
    assert_int_equal(raw.len % 4, 0);

    struct rel_beam b;
    assert_int_equal(rel_beam_parse(&b, raw.ptr, raw.len, "demo.beam"), 0);
    assert_false(b.compressed);
    assert_string_equal(b.module, "demo");
    assert_int_equal(b.natoms, 3);
    assert_string_equal(b.atoms[2], "world");
    expect_ids(&b, (const char *[]){"AtU8", "Code", "StrT", "ImpT", "ExpT", "Dbgi", "Docs", "Attr",
                                    "CInf", "Line", NULL});
    const struct rel_beam_chunk *c = rel_beam_find(&b, "Dbgi");
    assert_non_null(c);
    assert_int_equal(c->len, 5);
    assert_memory_equal(c->data, "debug", 5);
    assert_null(rel_beam_find(&b, "Abst"));
    rel_beam_free(&b);
    rel_beam_free(&b); /* twice is fine */

    /* the gzip-compressed form reads the same */
    struct rel_buf gz = REL_BUF_INIT;
    synthetic(&gz, true, true);
    assert_int_equal((unsigned char)gz.ptr[0], 0x1F);
    assert_int_equal((unsigned char)gz.ptr[1], 0x8B);
    assert_int_equal(rel_beam_parse(&b, gz.ptr, gz.len, "demo.beam"), 0);
    assert_true(b.compressed);
    assert_int_equal(b.file_size, gz.len);
    assert_int_equal(b.len, raw.len);
    assert_memory_equal(b.image, raw.ptr, raw.len);
    rel_beam_free(&b);

    /* a Latin-1 "Atom" table is converted to UTF-8 */
    uint8_t atoms[16] = {0, 0, 0, 1, 4, 'c', 'a', 'f', 0xE9};
    struct rel_beam_chunk one = {"Atom", atoms, 9, 0};
    struct rel_buf l1 = REL_BUF_INIT;
    assert_int_equal(rel_beam_build(&l1, &one, 1, false), 0);
    assert_int_equal(rel_beam_parse(&b, l1.ptr, l1.len, NULL), 0);
    assert_string_equal(b.module, "caf\xC3\xA9");
    rel_beam_free(&b);
    /* OTP 26 style: negative count, compact lengths (one of 300 bytes) */
    uint8_t big[400];
    int32_t cnt = -2;
    big[0] = (uint8_t)((uint32_t)cnt >> 24), big[1] = (uint8_t)((uint32_t)cnt >> 16);
    big[2] = (uint8_t)((uint32_t)cnt >> 8), big[3] = (uint8_t)cnt;
    big[4] = 3 << 4;
    memcpy(big + 5, "mod", 3);
    big[8] = (uint8_t)(((300 >> 3) & 0xE0) | 0x08);
    big[9] = 300 & 0xFF;
    memset(big + 10, 'x', 300);
    struct rel_beam_chunk compact = {"AtU8", big, 310, 0};
    rel_buf_clear(&l1);
    assert_int_equal(rel_beam_build(&l1, &compact, 1, false), 0);
    assert_int_equal(rel_beam_parse(&b, l1.ptr, l1.len, NULL), 0);
    assert_string_equal(b.module, "mod");
    assert_int_equal(strlen(b.atoms[1]), 300);
    rel_beam_free(&b);
    rel_buf_free(&l1);
    rel_buf_free(&gz);
    rel_buf_free(&raw);
}

static void test_strip(void **state)
{
    (void)state;
    struct rel_buf raw = REL_BUF_INIT, out = REL_BUF_INIT;
    synthetic(&raw, true, false);
    struct rel_beam b, s;
    assert_int_equal(rel_beam_parse(&b, raw.ptr, raw.len, "demo.beam"), 0);
    assert_int_equal(rel_beam_strip(&out, &b, NULL), 0);
    assert_int_equal(rel_beam_parse(&s, out.ptr, out.len, "stripped"), 0);
    /* Attr, then the significant chunks in beam_lib's order */
    expect_ids(&s, (const char *[]){"Attr", "Line", "AtU8", "Code", "StrT", "ImpT", "ExpT", NULL});
    assert_memory_equal(rel_beam_find(&s, "Code")->data,
                        "\0\0\0\x10"
                        "code",
                        8);
    rel_beam_free(&s);

    /* keep extras go last, duplicates are ignored, unknown ones skipped */
    rel_buf_clear(&out);
    const char *keep[] = {"Docs", "Code", "Zzzz", "Dbgi", NULL};
    struct rel_beam_strip_opts opts = {.keep = keep, .compress = true};
    assert_int_equal(rel_beam_strip(&out, &b, &opts), 0);
    assert_int_equal((unsigned char)out.ptr[0], 0x1F);
    assert_int_equal(rel_beam_parse(&s, out.ptr, out.len, "stripped"), 0);
    assert_true(s.compressed);
    expect_ids(&s, (const char *[]){"Attr", "Line", "AtU8", "Code", "StrT", "ImpT", "ExpT", "Docs",
                                    "Dbgi", NULL});
    rel_beam_free(&s);
    rel_beam_free(&b);

    /* rel_beam_build appends after what `out` holds, and a failure leaves
     * `out` as it was; rel_beam_parse_buf takes the buffer over */
    assert_int_equal(rel_beam_parse(&b, raw.ptr, raw.len, "demo.beam"), 0);
    rel_buf_clear(&out);
    assert_int_equal(rel_buf_puts(&out, "keep"), 0);
    struct rel_beam_chunk two[2] = {b.chunks[0], b.chunks[1]};
    strcpy(two[1].id, "Xy");
    assert_int_equal(rel_beam_build(&out, two, 2, false), REL_EINVAL);
    assert_int_equal(out.len, 4);
    assert_string_equal(out.ptr, "keep");
    assert_int_equal(rel_beam_build(&out, b.chunks, b.nchunks, false), 0);
    assert_memory_equal(out.ptr + 4, raw.ptr, raw.len); /* the same chunks give the same file */
    struct rel_buf copy = REL_BUF_INIT;
    assert_int_equal(rel_buf_put(&copy, raw.ptr, raw.len), 0);
    assert_int_equal(rel_beam_parse_buf(&s, &copy, "taken.beam"), 0);
    assert_null(copy.ptr);
    assert_string_equal(s.module, b.module);
    assert_int_equal(s.natoms, b.natoms);
    rel_beam_free(&s);
    rel_buf_free(&copy);
    /* the module-only parse keeps the chunks and the module, not the atoms */
    assert_int_equal(rel_buf_put(&copy, raw.ptr, raw.len), 0);
    assert_int_equal(rel_beam_parse_buf_module(&s, &copy, "module.beam"), 0);
    assert_string_equal(s.module, b.module);
    assert_string_equal(s.atoms[0], b.module);
    assert_int_equal(s.natoms, 1);
    assert_int_equal(s.nchunks, b.nchunks);
    rel_beam_free(&s);
    rel_buf_free(&copy);
    /* ... and still checks every atom: a length running past the chunk fails */
    const struct rel_beam_chunk *atc = rel_beam_find(&b, "AtU8");
    if (!atc)
        atc = rel_beam_find(&b, "Atom");
    assert_non_null(atc);
    assert_true(b.natoms >= 2);
    assert_int_equal(rel_buf_put(&copy, raw.ptr, raw.len), 0);
    size_t second = atc->offset + 8 + 4 + 1 + strlen(b.atoms[0]); /* the 2nd atom's length */
    copy.ptr[second] = (char)0xFF;
    assert_int_equal(rel_beam_parse_buf_module(&s, &copy, "badatom.beam"), REL_EFORMAT);
    assert_non_null(strstr(rel_error_message(), "badatom.beam"));
    rel_beam_free(&s);
    rel_buf_free(&copy);
    assert_int_equal(rel_buf_put(&copy, raw.ptr, 10), 0);
    assert_int_equal(rel_beam_parse_buf(&s, &copy, "short.beam"), REL_EFORMAT);
    assert_non_null(strstr(rel_error_message(), "short.beam"));
    rel_beam_free(&s);
    rel_buf_free(&copy);
    rel_beam_free(&b);

    /* a module without Code cannot be stripped */
    rel_buf_clear(&raw);
    synthetic(&raw, false, false);
    assert_int_equal(rel_beam_parse(&b, raw.ptr, raw.len, "nocode.beam"), 0);
    rel_buf_clear(&out);
    assert_int_equal(rel_beam_strip(&out, &b, NULL), REL_EFORMAT);
    assert_string_equal(rel_error_message(), "module demo: mandatory chunk 'Code' is missing");
    rel_beam_free(&b);

    /* strip a file in place, atomically */
    char *dir = make_tmpdir();
    char *path = rel_asprintf("%s/demo.beam", dir);
    rel_buf_clear(&raw);
    synthetic(&raw, true, false);
    assert_int_equal(rel_fs_write_atomic(path, raw.ptr, raw.len, 0644), 0);
    assert_int_equal(rel_beam_strip_file(path, path, NULL, 0444), 0);
    assert_int_equal(rel_beam_read(&s, path), 0);
    assert_null(rel_beam_find(&s, "Dbgi"));
    rel_beam_free(&s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0444);
    char *bad = rel_asprintf("%s/bad.beam", dir);
    assert_int_equal(rel_fs_write_atomic(bad, "FOR1", 4, 0644), 0);
    char *dst = rel_asprintf("%s/out.beam", dir);
    assert_int_equal(rel_beam_strip_file(bad, dst, NULL, 0644), REL_EFORMAT);
    assert_false(rel_fs_exists(dst));
    char *want = rel_asprintf("%s: not a BEAM file (no FOR1 header)", bad);
    assert_string_equal(rel_error_message(), want);
    free(want);
    rel_fs_remove_tree(dir);
    free(dst);
    free(bad);
    free(path);
    free(dir);
    rel_buf_free(&out);
    rel_buf_free(&raw);
}

static void check_bad(const void *data, size_t len, const char *want)
{
    struct rel_beam b;
    int rc = rel_beam_parse(&b, data, len, "x.beam");
    if (rc == 0)
        fail_msg("parsed, but should fail with '%s'", want);
    assert_null(b.image);
    assert_null(b.chunks);
    if (!strstr(rel_error_message(), want))
        fail_msg("error '%s' does not contain '%s'", rel_error_message(), want);
}

static void test_malformed(void **state)
{
    (void)state;
    struct rel_buf raw = REL_BUF_INIT;
    synthetic(&raw, true, false);
    uint8_t *img = rel_malloc(raw.len);
    memcpy(img, raw.ptr, raw.len);

    check_bad("", 0, "x.beam: not a BEAM file");
    check_bad("hello world, this is text", 25, "not a BEAM file (no FOR1 header)");
    check_bad("FOR1\0\0\0\x04IFFX", 12, "FOR1 form of type 'IFFX'");
    /* every truncation is refused */
    for (size_t n = 0; n < raw.len; n++) {
        struct rel_beam b;
        assert_int_not_equal(rel_beam_parse(&b, img, n, "x.beam"), 0);
        assert_null(b.image);
    }
    check_bad(img, raw.len - 4, "truncated: the header says");
    /* the size field lies */
    img[7] ^= 0x40;
    check_bad(img, raw.len, "x.beam: ");
    img[7] ^= 0x40;
    /* a chunk length lies */
    uint8_t *lie = rel_malloc(raw.len);
    memcpy(lie, img, raw.len);
    lie[12 + 4] = 0x7F;
    check_bad(lie, raw.len, "chunk 'AtU8' at offset 12 claims");
    memcpy(lie, img, raw.len);
    lie[12] = 0x01;
    check_bad(lie, raw.len, "chunk at offset 12 has an invalid id");
    /* the atom table lies */
    memcpy(lie, img, raw.len);
    lie[20 + 3] = 4;
    check_bad(lie, raw.len, "atom chunk 'AtU8' is truncated at atom 4");
    memcpy(lie, img, raw.len);
    lie[20 + 3] = 200;
    check_bad(lie, raw.len, "atom chunk 'AtU8' claims 200 atoms in 21 bytes");
    memcpy(lie, img, raw.len);
    lie[20 + 3] = 0;
    check_bad(lie, raw.len, "is empty (no module name)");
    memcpy(lie, img, raw.len);
    lie[20 + 4] = 250;
    check_bad(lie, raw.len, "truncated at atom 1");
    free(lie);
    /* duplicate chunk */
    struct rel_beam_chunk dup[] = {{"AtU8", (const uint8_t *)"\0\0\0\1\1m", 6, 0},
                                   {"Code", (const uint8_t *)"", 0, 0},
                                   {"Code", (const uint8_t *)"", 0, 0}};
    struct rel_buf d = REL_BUF_INIT;
    assert_int_equal(rel_beam_build(&d, dup, 3, false), 0);
    check_bad(d.ptr, d.len, "duplicate chunk 'Code' at offset 36");
    rel_buf_clear(&d);
    assert_int_equal(rel_beam_build(&d, dup + 1, 1, false), 0);
    check_bad(d.ptr, d.len, "no atom table");
    rel_buf_free(&d);
    /* gzip: truncated, corrupt, trailing garbage, not a beam inside */
    struct rel_buf gz = REL_BUF_INIT;
    synthetic(&gz, true, true);
    check_bad(gz.ptr, gz.len / 2, "truncated gzip data");
    char *g2 = rel_malloc(gz.len + 3);
    memcpy(g2, gz.ptr, gz.len);
    memcpy(g2 + gz.len, "xyz", 3);
    check_bad(g2, gz.len + 3, "3 bytes of garbage after the gzip data");
    g2[12] ^= 0xFF;
    g2[13] ^= 0xFF;
    check_bad(g2, gz.len, "x.beam: ");
    free(g2);
    rel_buf_clear(&gz);
    uLong bound = compressBound(11);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    uint8_t zbuf[128];
    zs.next_in = (Bytef *)"hello world";
    zs.avail_in = 11;
    zs.next_out = zbuf;
    zs.avail_out = (uInt)(bound + 32);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t zn = zs.total_out;
    deflateEnd(&zs);
    check_bad(zbuf, zn, "not a BEAM file (no FOR1 header)");
    /* random corruption never crashes */
    srand(11);
    uint8_t *m = rel_malloc(raw.len);
    for (int round = 0; round < 20000; round++) {
        memcpy(m, img, raw.len);
        for (int k = 0; k < 1 + round % 4; k++)
            m[rand() % raw.len] = (uint8_t)rand();
        struct rel_beam b;
        if (rel_beam_parse(&b, m, raw.len, "fuzz") == 0) {
            struct rel_buf o = REL_BUF_INIT;
            (void)rel_beam_strip(&o, &b, NULL);
            rel_buf_free(&o);
        }
        rel_beam_free(&b);
    }
    free(m);
    rel_buf_free(&gz);
    free(img);
    rel_buf_free(&raw);
}

/* ---- acceptance: real beams against beam_lib and the loader ---- */

struct files {
    char **v;
    size_t n, cap;
};

static void add_file(struct files *f, char *path)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->v = rel_reallocarray(f->v, f->cap, sizeof(char *));
    }
    f->v[f->n++] = path;
}

/* Every *.beam directly in `dir`, at most `max`. */
static void beams_in(struct files *f, const char *dir, size_t max)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    size_t taken = 0;
    while ((de = readdir(d)) && taken < max) {
        size_t n = strlen(de->d_name);
        if (n > 5 && strcmp(de->d_name + n - 5, ".beam") == 0) {
            add_file(f, rel_asprintf("%s/%s", dir, de->d_name));
            taken++;
        }
    }
    closedir(d);
}

/* Recursively, every ebin/ or consolidated/ directory's beams under `root`. */
static void beams_under(struct files *f, const char *root, int depth)
{
    if (depth > 8)
        return;
    DIR *d = opendir(root);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *p = rel_asprintf("%s/%s", root, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (strcmp(de->d_name, "ebin") == 0 || strcmp(de->d_name, "consolidated") == 0)
                beams_in(f, p, 100);
            else
                beams_under(f, p, depth + 1);
        }
        free(p);
    }
    closedir(d);
}

/* The installation root of a tool: the directory above the real bin/TOOL. */
static char *tool_root(const char *tool)
{
    char *path = NULL;
    if (!rel_proc_which(&path, tool))
        return NULL;
    char *real = rel_fs_realpath(path);
    free(path);
    if (!real)
        return NULL;
    char *bin = rel_path_dirname(real);
    char *root = rel_path_dirname(bin);
    free(real);
    free(bin);
    return root;
}

/* ROOT/lib/APP-VSN/ebin, or NULL. */
static char *app_ebin(const char *root, const char *app)
{
    char *lib = rel_asprintf("%s/lib", root);
    DIR *d = opendir(lib);
    char *found = NULL;
    struct dirent *de;
    size_t n = strlen(app);
    while (d && !found && (de = readdir(d)))
        if (strncmp(de->d_name, app, n) == 0 && de->d_name[n] == '-')
            found = rel_asprintf("%s/%s/ebin", lib, de->d_name);
    if (d)
        closedir(d);
    free(lib);
    return found;
}

static const char strip_check_script[] =
    "%% relman: check stripped beams against beam_lib:strip/2 and the loader\n"
    "main([ListFile]) ->\n"
    "    {ok, [Pairs]} = file:consult(ListFile),\n"
    "    N = length([check(Orig, Plain, Gz) || {Orig, Plain, Gz} <- Pairs]),\n"
    "    io:format(\"~b ok~n\", [N]).\n"
    "ids(Bin) ->\n"
    "    {ok, _, Chunks} = beam_lib:all_chunks(Bin),\n"
    "    [Id || {Id, _} <- Chunks].\n"
    "check(Orig, Plain, Gz) ->\n"
    "    {ok, OrigBin} = file:read_file(Orig),\n"
    "    {ok, {Mod, OtpGz}} = beam_lib:strip(OrigBin, [\"Attr\"]),\n"
    "    Otp = zlib:gunzip(OtpGz),\n"
    "    {ok, Mine} = file:read_file(Plain),\n"
    "    {ok, MineGz} = file:read_file(Gz),\n"
    "    Want = ids(Otp),\n"
    "    case {ids(Mine), ids(MineGz), Mine =:= Otp, zlib:gunzip(MineGz) =:= Otp} of\n"
    "        {Want, Want, true, true} -> ok;\n"
    "        Other -> fail(Orig, {Want, Other})\n"
    "    end,\n"
    "    {ok, {Mod, _}} = beam_lib:md5(Mine),\n"
    "    case code:is_loaded(Mod) of\n"
    "        false ->\n"
    "            case code:load_binary(Mod, Plain, MineGz) of\n"
    "                {module, Mod} -> ok;\n"
    "                E -> fail(Orig, E)\n"
    "            end;\n"
    "        _ ->\n"
    "            %% loaded already (kernel, stdlib): prepare without installing\n"
    "            case erlang:prepare_loading(Mod, Mine) of\n"
    "                R when is_reference(R) -> ok;\n"
    "                E -> fail(Orig, E)\n"
    "            end\n"
    "    end.\n"
    "fail(File, Why) -> io:format(\"~s: ~p~n\", [File, Why]), halt(1).\n";

static void test_real_beams_against_otp(void **state)
{
    (void)state;
    if (!rel_proc_which(NULL, "escript"))
        skip();
    struct files f = {0};
    char *erl_root = tool_root("erl"), *ex_root = tool_root("elixir");
    const char *otp_apps[] = {"kernel", "stdlib", "compiler", "sasl", NULL};
    for (size_t i = 0; erl_root && otp_apps[i]; i++) {
        char *ebin = app_ebin(erl_root, otp_apps[i]);
        if (ebin)
            beams_in(&f, ebin, 1000);
        free(ebin);
    }
    const char *ex_apps[] = {"elixir", "logger", "eex", NULL};
    for (size_t i = 0; ex_root && ex_apps[i]; i++) {
        char *ebin = rel_asprintf("%s/lib/%s/ebin", ex_root, ex_apps[i]);
        beams_in(&f, ebin, 1000);
        free(ebin);
    }
    free(erl_root);
    free(ex_root);
    size_t otp = f.n;
    char *examples = rel_asprintf("%s/examples", RELMAN_SOURCE_DIR);
    beams_under(&f, examples, 0);
    free(examples);
    print_message("stripping %zu beams (%zu from OTP and Elixir, %zu from examples)\n", f.n, otp,
                  f.n - otp);
    if (f.n == 0)
        skip();

    char *dir = make_tmpdir();
    struct rel_buf list = REL_BUF_INIT;
    rel_buf_puts(&list, "[");
    size_t before = 0, after = 0;
    for (size_t i = 0; i < f.n; i++) {
        struct rel_beam b;
        if (rel_beam_read(&b, f.v[i]) < 0)
            fail_msg("%s", rel_error_message());
        before += b.file_size;
        struct rel_buf plain = REL_BUF_INIT, gz = REL_BUF_INIT;
        assert_int_equal(rel_beam_strip(&plain, &b, NULL), 0);
        struct rel_beam_strip_opts opts = {.compress = true};
        assert_int_equal(rel_beam_strip(&gz, &b, &opts), 0);
        after += plain.len;
        char *pp = rel_asprintf("%s/%zu.beam", dir, i),
             *gp = rel_asprintf("%s/%zu.gz.beam", dir, i);
        assert_int_equal(rel_fs_write_atomic(pp, plain.ptr, plain.len, 0644), 0);
        assert_int_equal(rel_fs_write_atomic(gp, gz.ptr, gz.len, 0644), 0);
        /* the stripped file reads back with the same module and atoms */
        struct rel_beam s;
        assert_int_equal(rel_beam_parse(&s, plain.ptr, plain.len, pp), 0);
        assert_string_equal(s.module, b.module);
        assert_int_equal(s.natoms, b.natoms);
        rel_beam_free(&s);
        rel_buf_printf(&list, "%s{\"%s\",\"%s\",\"%s\"}\n", i ? "," : "", f.v[i], pp, gp);
        free(pp);
        free(gp);
        rel_buf_free(&plain);
        rel_buf_free(&gz);
        rel_beam_free(&b);
    }
    rel_buf_puts(&list, "].\n");
    print_message("%zu bytes before, %zu after stripping (uncompressed)\n", before, after);
    char *lp = rel_asprintf("%s/list.config", dir);
    assert_int_equal(rel_fs_write_atomic(lp, list.ptr, list.len, 0644), 0);
    char *script = rel_asprintf("%s/check.escript", dir);
    assert_int_equal(
        rel_fs_write_atomic(script, strip_check_script, strlen(strip_check_script), 0644), 0);
    const char *argv[] = {"escript", script, lp, NULL};
    struct rel_buf out = REL_BUF_INIT, err = REL_BUF_INIT;
    struct rel_proc_opts popts = {.out = &out, .err = &err};
    int status = -1;
    assert_int_equal(rel_proc_run(&status, argv, &popts), 0);
    if (status != 0)
        fail_msg("OTP disagrees: %s %s", rel_buf_cstr(&out), rel_buf_cstr(&err));
    print_message("OTP: %s", rel_buf_cstr(&out));
    rel_buf_free(&out);
    rel_buf_free(&err);
    rel_fs_remove_tree(dir);
    free(script);
    free(lp);
    free(dir);
    rel_buf_free(&list);
    for (size_t i = 0; i < f.n; i++)
        free(f.v[i]);
    free(f.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_read),
        cmocka_unit_test(test_strip),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_real_beams_against_otp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
