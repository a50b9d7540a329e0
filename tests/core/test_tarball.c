/* Unit tests for core/tarball: reproducible packing, listing, and safe
 * extraction of hostile archives built here with libarchive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/event.h"
#include "core/fs.h"
#include "core/tarball.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static int setup(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/relman-test-tarball.XXXXXX";
    tmpdir = rel_strdup(mkdtemp(tmpl));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rel_fs_remove_tree(tmpdir);
    free(tmpdir);
    return 0;
}

static char *at(const char *rel)
{
    return rel_asprintf("%s/%s", tmpdir, rel);
}

static void write_file(const char *rel, const char *text, mode_t mode)
{
    char *p = at(rel);
    char *dir = rel_strdup(p);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(rel_fs_mkdirs(dir, 0755), 0);
    assert_int_equal(rel_fs_write_atomic(p, text, strlen(text), mode), 0);
    free(dir);
    free(p);
}

static void read_all(struct rel_buf *b, const char *path)
{
    rel_buf_clear(b);
    assert_int_equal(rel_fs_read_file(b, path, 1 << 24), 0);
}

static void make_tree(void)
{
    write_file("rel/bin/foo", "#!/bin/sh\necho foo\n", 0755);
    write_file("rel/releases/COOKIE", "secret", 0600);
    write_file("rel/releases/0.1.0/start.boot", "boot", 0644);
    write_file("rel/lib/kv-0.1.0/ebin/kv.app", "{application,kv,[]}.\n", 0644);
    write_file("rel/tmp/junk", "not packed", 0644);
}

static void test_pack_reproducible(void **state)
{
    (void)state;
    make_tree();
    char *root = at("rel");
    char *t1 = at("a.tar.gz"), *t2 = at("b.tar.gz");
    const char *paths[] = {"releases/0.1.0", "bin", "lib/kv-0.1.0", "releases/COOKIE"};
    setenv("SOURCE_DATE_EPOCH", "1000000000", 1);
    struct rel_event_recorder rec = {.coalesce_advance = 1};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    assert_int_equal(rel_tarball_pack(t1, root, paths, 4, -1, &ev), 0);
    assert_true(rel_event_recorder_find(&rec, "begin tar 4 ") == 0);
    assert_true(rel_event_recorder_find(&rec, "end tar 0") > 0);
    rel_event_recorder_free(&rec);
    /* Touch a file: with SOURCE_DATE_EPOCH the bytes must not change. */
    sleep(1);
    write_file("rel/bin/foo", "#!/bin/sh\necho foo\n", 0755);
    assert_int_equal(rel_tarball_pack(t2, root, paths, 4, -1, NULL), 0);
    unsetenv("SOURCE_DATE_EPOCH");
    struct rel_buf b1 = REL_BUF_INIT, b2 = REL_BUF_INIT;
    read_all(&b1, t1);
    read_all(&b2, t2);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.ptr, b2.ptr, b1.len);
    /* gzip header: magic, no MTIME (bytes 4..7), no FNAME flag. */
    assert_int_equal((unsigned char)b1.ptr[0], 0x1f);
    assert_int_equal((unsigned char)b1.ptr[1], 0x8b);
    assert_int_equal(b1.ptr[3] & 0x08, 0);
    assert_int_equal(b1.ptr[4] | b1.ptr[5] | b1.ptr[6] | b1.ptr[7], 0);

    /* Sorted entries, owned by root with no names, mtimes fixed. */
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, t1, 4096), ARCHIVE_OK);
    struct archive_entry *ae;
    const char *expect[] = {"bin/",
                            "bin/foo",
                            "lib/kv-0.1.0/",
                            "lib/kv-0.1.0/ebin/",
                            "lib/kv-0.1.0/ebin/kv.app",
                            "releases/0.1.0/",
                            "releases/0.1.0/start.boot",
                            "releases/COOKIE"};
    size_t i = 0;
    while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
        assert_true(i < 8);
        assert_string_equal(archive_entry_pathname(ae), expect[i]);
        assert_int_equal(archive_entry_uid(ae), 0);
        assert_int_equal(archive_entry_gid(ae), 0);
        const char *un = archive_entry_uname(ae), *gn = archive_entry_gname(ae);
        assert_true(un == NULL || un[0] == '\0');
        assert_true(gn == NULL || gn[0] == '\0');
        assert_int_equal(archive_entry_mtime(ae), 1000000000);
        if (strcmp(expect[i], "releases/COOKIE") == 0)
            assert_int_equal(archive_entry_perm(ae), 0600);
        if (strcmp(expect[i], "bin/foo") == 0)
            assert_int_equal(archive_entry_perm(ae), 0755);
        i++;
    }
    assert_int_equal(i, 8);
    archive_read_free(a);

    /* list + read_members */
    struct rel_tar_entry *ents;
    size_t n;
    assert_int_equal(rel_tarball_list(&ents, &n, t1, NULL), 0);
    assert_int_equal(n, 8);
    assert_string_equal(ents[1].path, "bin/foo");
    assert_int_equal(ents[1].type, REL_TAR_FILE);
    assert_int_equal(ents[0].type, REL_TAR_DIR);
    rel_tarball_entries_free(ents, n);
    const char *names[] = {"releases/0.1.0/start.boot", "nope"};
    struct rel_buf bufs[2] = {REL_BUF_INIT, REL_BUF_INIT};
    bool found[2];
    assert_int_equal(rel_tarball_read_members(t1, names, 2, bufs, found, 1024), 0);
    assert_true(found[0]);
    assert_false(found[1]);
    assert_string_equal(rel_buf_cstr(&bufs[0]), "boot");
    rel_buf_free(&bufs[0]);
    rel_buf_free(&bufs[1]);

    /* Round trip through the safe extractor. */
    char *dest = at("out");
    assert_int_equal(rel_tarball_extract(t1, dest, NULL, NULL), 0);
    char *f = at("out/releases/COOKIE");
    struct stat st;
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(f);
    f = at("out/bin/foo");
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    free(f);
    f = at("out/tmp");
    assert_false(rel_fs_exists(f));
    free(f);
    /* A second extraction into the same place is refused. */
    assert_int_equal(rel_tarball_extract(t1, dest, NULL, NULL), REL_EEXISTS);

    rel_buf_free(&b1);
    rel_buf_free(&b2);
    free(dest);
    free(root);
    free(t1);
    free(t2);
}

static void test_pack_missing_path(void **state)
{
    (void)state;
    char *root = at("rel");
    char *t = at("bad.tar.gz");
    const char *p1[] = {"does/not/exist"};
    assert_true(rel_tarball_pack(t, root, p1, 1, 0, NULL) < 0);
    assert_false(rel_fs_exists(t));
    const char *p2[] = {"../escape"};
    assert_int_equal(rel_tarball_pack(t, root, p2, 1, 0, NULL), REL_EUNSAFE);
    free(root);
    free(t);
}

/* A hostile archive: entries given as (name, type, target-or-data). */
struct hent {
    const char *name;
    char type; /* f file, d dir, l symlink, h hardlink, c chardev, p fifo */
    const char *data;
};

static char *build(const char *file, const struct hent *ents, size_t n)
{
    char *path = at(file);
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, ents[i].name);
        archive_entry_set_perm(e, 0644);
        switch (ents[i].type) {
        case 'f':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
            break;
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_entry_set_perm(e, 0755);
            break;
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, ents[i].data);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, ents[i].data);
            break;
        case 'c':
            archive_entry_set_filetype(e, AE_IFCHR);
            archive_entry_set_rdev(e, 0x0103);
            break;
        case 'p':
            archive_entry_set_filetype(e, AE_IFIFO);
            break;
        case 's':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_perm(e, 04755);
            archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
            break;
        }
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (ents[i].type == 'f' || ents[i].type == 's')
            archive_write_data(a, ents[i].data, strlen(ents[i].data));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return path;
}

static void expect_refused(const struct hent *ents, size_t n, const char *msg_part,
                           const struct rel_tarball_limits *lim)
{
    char *t = build("hostile.tar.gz", ents, n);
    char *dest = at("hostile-out");
    int rc = rel_tarball_extract(t, dest, lim, NULL);
    assert_true(rc < 0);
    if (!strstr(rel_error_message(), msg_part))
        fail_msg("message '%s' lacks '%s'", rel_error_message(), msg_part);
    assert_null(strchr(rel_error_message(), '\n'));
    assert_false(rel_fs_exists(dest));
    /* Nothing escaped into the test directory either. */
    char *evil = at("evil");
    assert_false(rel_fs_exists(evil));
    free(evil);
    /* No temporary directory was left behind. */
    char *cmd = rel_asprintf("ls -A %s | grep -q extract", tmpdir);
    assert_int_not_equal(system(cmd), 0);
    free(cmd);
    free(dest);
    unlink(t);
    free(t);
}

static void test_extract_hostile(void **state)
{
    (void)state;
    const struct hent dotdot[] = {{"ok", 'f', "x"}, {"../evil", 'f', "pwned"}};
    expect_refused(dotdot, 2, "'..'", NULL);
    const struct hent inner[] = {{"a/../../evil", 'f', "pwned"}};
    expect_refused(inner, 1, "'..'", NULL);
    char *abs = rel_asprintf("%s/evil", tmpdir);
    const struct hent absolute[] = {{abs, 'f', "pwned"}};
    expect_refused(absolute, 1, "absolute path", NULL);
    free(abs);
    const struct hent link_abs[] = {{"l", 'l', "/etc/passwd"}};
    expect_refused(link_abs, 1, "absolute path", NULL);
    const struct hent link_out[] = {{"d", 'd', ""}, {"d/l", 'l', "../../evil"}};
    expect_refused(link_out, 2, "leaves the archive root", NULL);
    /* A symlink that stays inside, then a file written through it. */
    const struct hent through[] = {{"sub", 'd', ""}, {"s", 'l', "sub"}, {"s/f", 'f', "x"}};
    expect_refused(through, 3, "s/f", NULL);
    /* The classic: a link that becomes ".." once another link is followed. */
    const struct hent chain[] = {{"a", 'd', ""}, {"a/b", 'l', "."}, {"a/b/l", 'l', "../../evil"}};
    expect_refused(chain, 3, "a/b/l", NULL);
    const struct hent hard[] = {{"f", 'f', "x"}, {"g", 'h', "f"}};
    expect_refused(hard, 2, "hard links", NULL);
    const struct hent dev[] = {{"null", 'c', ""}};
    expect_refused(dev, 1, "devices", NULL);
    const struct hent fifo[] = {{"pipe", 'p', ""}};
    expect_refused(fifo, 1, "FIFOs", NULL);
    const struct hent dup[] = {{"f", 'f', "one"}, {"f", 'f', "two"}};
    expect_refused(dup, 2, "appears twice", NULL);
    const struct hent dup_dir[] = {{"x", 'd', ""}, {"x", 'l', "."}};
    expect_refused(dup_dir, 2, "appears twice", NULL);
    const struct hent many[] = {{"a", 'f', "1"}, {"b", 'f', "2"}, {"c", 'f', "3"}};
    struct rel_tarball_limits lim = {.max_entries = 2};
    expect_refused(many, 3, "more than 2 entries", &lim);
    struct rel_tarball_limits small = {.max_entry_bytes = 4};
    const struct hent big[] = {{"big", 'f', "0123456789"}};
    expect_refused(big, 1, "larger than 4 bytes", &small);
    struct rel_tarball_limits total = {.max_total_bytes = 5};
    const struct hent sum[] = {{"a", 'f', "123"}, {"b", 'f', "456"}};
    expect_refused(sum, 2, "in all", &total);
}

static void test_extract_mild(void **state)
{
    (void)state;
    /* Inside links, "./" prefixes and setuid bits: accepted, bits dropped. */
    const struct hent ok[] = {{"./", 'd', ""},  {"./bin", 'd', ""},  {"./bin/x", 's', "#!"},
                              {"lib", 'd', ""}, {"lib/a", 'f', "a"}, {"bin/l", 'l', "../lib/a"}};
    char *t = build("ok.tar.gz", ok, 6);
    char *dest = at("ok-out");
    if (rel_tarball_extract(t, dest, NULL, NULL) != 0)
        fail_msg("%s", rel_error_message());
    char *x = at("ok-out/bin/x");
    struct stat st;
    assert_int_equal(stat(x, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    char *l = at("ok-out/bin/l");
    struct rel_buf b = REL_BUF_INIT;
    read_all(&b, l);
    assert_string_equal(rel_buf_cstr(&b), "a");
    rel_buf_free(&b);
    free(x);
    free(l);
    free(dest);
    free(t);
}

/* rel_tarball_check: extraction's rules, decided from a listing. */
static void test_check_listing(void **state)
{
    (void)state;
    struct rel_tar_entry ok[] = {
        {.path = "bin", .type = REL_TAR_DIR},
        {.path = "bin/r", .type = REL_TAR_FILE, .size = 10},
        {.path = "lib/a-1/priv/link", .type = REL_TAR_SYMLINK, .link = "../ebin"},
        {.path = "lib/a-1/priv/linked", .type = REL_TAR_FILE, .size = 1},
    };
    assert_int_equal(rel_tarball_check(ok, 4, NULL), 0);
    assert_int_equal(rel_tarball_check(NULL, 0, NULL), 0);

    struct rel_tar_entry dup[] = {
        {.path = "bin/r", .type = REL_TAR_FILE},
        {.path = "bin/r", .type = REL_TAR_FILE},
    };
    assert_int_equal(rel_tarball_check(dup, 2, NULL), REL_EUNSAFE);
    assert_string_equal(rel_error_message(), "bin/r: appears twice in the archive");

    struct rel_tar_entry through[] = {
        {.path = "lib/d", .type = REL_TAR_SYMLINK, .link = "."},
        {.path = "lib/d/x/file", .type = REL_TAR_FILE},
    };
    assert_int_equal(rel_tarball_check(through, 2, NULL), REL_EUNSAFE);
    assert_string_equal(rel_error_message(), "lib/d/x/file: written through the symlink lib/d");
    /* a file whose name merely starts like the link is fine */
    struct rel_tar_entry prefix[] = {
        {.path = "lib/d", .type = REL_TAR_SYMLINK, .link = "."},
        {.path = "lib/dx/file", .type = REL_TAR_FILE},
    };
    assert_int_equal(rel_tarball_check(prefix, 2, NULL), 0);

    struct rel_tarball_limits lim = {.max_entries = 2, .max_entry_bytes = 100,
                                     .max_total_bytes = 150};
    struct rel_tar_entry big[] = {{.path = "a", .type = REL_TAR_FILE, .size = 101}};
    assert_int_equal(rel_tarball_check(big, 1, &lim), REL_ELIMIT);
    assert_string_equal(rel_error_message(), "a: larger than 100 bytes");
    struct rel_tar_entry total[] = {{.path = "a", .type = REL_TAR_FILE, .size = 100},
                                    {.path = "b", .type = REL_TAR_FILE, .size = 60}};
    assert_int_equal(rel_tarball_check(total, 2, &lim), REL_ELIMIT);
    assert_int_equal(rel_tarball_check(ok, 4, &lim), REL_ELIMIT); /* 4 > 2 entries */

    struct rel_tar_entry bad[] = {{.path = "../x", .type = REL_TAR_FILE}};
    assert_int_equal(rel_tarball_check(bad, 1, NULL), REL_EUNSAFE);
    assert_string_equal(rel_error_message(), "../x: '..' in archive path");
}

/* Links that each stay inside, but leave the tree together; and loops. */
static void test_check_chains(void **state)
{
    (void)state;
    struct rel_tar_entry ok[] = {
        {.path = "a", .type = REL_TAR_SYMLINK, .link = "lib/x"},
        {.path = "lib/x", .type = REL_TAR_DIR},
        {.path = "b", .type = REL_TAR_SYMLINK, .link = "a/.."}, /* lib/x/.. = lib */
        {.path = "lib/y", .type = REL_TAR_SYMLINK, .link = "../a"},
    };
    assert_int_equal(rel_tarball_check(ok, 4, NULL), 0);
    /* each link stays inside when read alone: d/up/.. is d; but d/up is
     * the root, and the root's .. is outside */
    struct rel_tar_entry out[] = {
        {.path = "d/up", .type = REL_TAR_SYMLINK, .link = ".."},
        {.path = "e", .type = REL_TAR_SYMLINK, .link = "d/up/.."},
    };
    assert_int_equal(rel_tarball_check(out, 2, NULL), REL_EUNSAFE);
    assert_string_equal(rel_error_message(),
                        "e: symlink to d/up/.. leaves the tree (through other links)");
    struct rel_tar_entry loop[] = {
        {.path = "p", .type = REL_TAR_SYMLINK, .link = "q"},
        {.path = "q", .type = REL_TAR_SYMLINK, .link = "p"},
    };
    assert_int_equal(rel_tarball_check(loop, 2, NULL), REL_EUNSAFE);
    assert_non_null(strstr(rel_error_message(), "too many levels of links"));
}

static void test_extract_garbage(void **state)
{
    (void)state;
    char *t = at("garbage.tar.gz");
    const char junk[] = "\x1f\x8b\x08\x00this is not a tarball at all";
    assert_int_equal(rel_fs_write_atomic(t, junk, sizeof(junk), 0644), 0);
    char *dest = at("garbage-out");
    assert_true(rel_tarball_extract(t, dest, NULL, NULL) < 0);
    assert_false(rel_fs_exists(dest));
    struct rel_tar_entry *e;
    size_t n;
    assert_true(rel_tarball_list(&e, &n, t, NULL) < 0);
    free(dest);
    free(t);
}

/* rel_tarball_each: the one read loop, which list, read_members and extract use. */
struct seen {
    char names[8][32];
    unsigned modes[8];
    char data[8][16];
    int n;
    int fail_at; /* visit fails on this entry (1-based), 0: never */
};

static int visit(void *ctx, const struct rel_tar_entry *e, struct rel_tarball_data *d)
{
    struct seen *s = ctx;
    assert_true(s->n < 8);
    snprintf(s->names[s->n], sizeof(s->names[0]), "%c %s%s%s",
             e->type == REL_TAR_DIR       ? 'd'
             : e->type == REL_TAR_SYMLINK ? 'l'
                                          : '-',
             e->path, e->link ? " -> " : "", e->link ? e->link : "");
    s->modes[s->n] = e->mode;
    if (e->type == REL_TAR_FILE) {
        struct rel_buf b = REL_BUF_INIT;
        assert_int_equal(rel_tarball_data_read(d, &b, 100), 0);
        snprintf(s->data[s->n], sizeof(s->data[0]), "%s", rel_buf_cstr(&b));
        rel_buf_free(&b);
    }
    s->n++;
    if (s->n == s->fail_at)
        return rel_error_set(REL_EINVAL, "stop at %s", e->path);
    return 0;
}

static void test_each(void **state)
{
    (void)state;
    const struct hent ents[] = {{"./", 'd', ""},
                                {"./bin", 'd', ""},
                                {"./bin/x", 's', "#!"},
                                {"lib/a", 'f', "abc"},
                                {"bin/l", 'l', "../lib/a"}};
    char *t = build("each.tar.gz", ents, 5);

    /* Archive order, the root left out, "./" and trailing "/" removed, the
     * mode as stored; the contents readable during the visit. */
    struct seen s = {0};
    assert_int_equal(rel_tarball_each(t, NULL, 0, visit, &s), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.names[0], "d bin");
    assert_string_equal(s.names[1], "- bin/x");
    assert_string_equal(s.names[2], "- lib/a");
    assert_string_equal(s.names[3], "l bin/l -> ../lib/a");
    assert_int_equal(s.modes[1], 04755);
    assert_string_equal(s.data[1], "#!");
    assert_string_equal(s.data[2], "abc");

    /* Safe: the same entries, without setuid/setgid/sticky bits. */
    struct seen safe = {0};
    assert_int_equal(rel_tarball_each(t, NULL, REL_TARBALL_SAFE, visit, &safe), 0);
    assert_int_equal(safe.n, 4);
    assert_int_equal(safe.modes[1], 0755);

    /* visit's error ends the walk and comes back unchanged. */
    struct seen stop = {.fail_at = 2};
    assert_int_equal(rel_tarball_each(t, NULL, 0, visit, &stop), REL_EINVAL);
    assert_int_equal(stop.n, 2);
    assert_string_equal(rel_error_message(), "stop at bin/x");

    /* The entry cap, with the tarball's name, in both modes. */
    struct rel_tarball_limits two = {.max_entries = 2};
    char *want = rel_asprintf("%s: more than 2 entries", t);
    struct seen capped = {0};
    assert_int_equal(rel_tarball_each(t, &two, 0, visit, &capped), REL_ELIMIT);
    assert_int_equal(capped.n, 2);
    assert_string_equal(rel_error_message(), want);
    struct seen capped_safe = {0};
    assert_int_equal(rel_tarball_each(t, &two, REL_TARBALL_SAFE, visit, &capped_safe), REL_ELIMIT);
    assert_string_equal(rel_error_message(), want);
    struct rel_tar_entry *list;
    size_t n;
    assert_int_equal(rel_tarball_list(&list, &n, t, &two), REL_ELIMIT);
    assert_string_equal(rel_error_message(), want);
    char *dest = at("each-out");
    assert_int_equal(rel_tarball_extract(t, dest, &two, NULL), REL_ELIMIT);
    assert_string_equal(rel_error_message(), want);
    free(want);

    /* read_members: the contents' cap names the tarball and the member. */
    const char *names[] = {"lib/a"};
    struct rel_buf b = REL_BUF_INIT;
    bool found;
    assert_int_equal(rel_tarball_read_members(t, names, 1, &b, &found, 2), REL_ELIMIT);
    want = rel_asprintf("%s: lib/a: larger than 2 bytes", t);
    assert_string_equal(rel_error_message(), want);
    free(want);
    rel_buf_free(&b);
    free(dest);
    free(t);

    /* Safe: an unsafe entry is refused before visit sees it, named with the
     * tarball; plain walks hand it over (rel_tarball_check decides later). */
    const struct hent bad[] = {{"ok", 'f', "x"}, {"../evil", 'f', "pwned"}};
    t = build("each-bad.tar.gz", bad, 2);
    struct seen refused = {0};
    assert_int_equal(rel_tarball_each(t, NULL, REL_TARBALL_SAFE, visit, &refused), REL_EUNSAFE);
    assert_int_equal(refused.n, 1);
    want = rel_asprintf("%s: ../evil: '..' in archive path", t);
    assert_string_equal(rel_error_message(), want);
    free(want);
    struct seen plain = {0};
    assert_int_equal(rel_tarball_each(t, NULL, 0, visit, &plain), 0);
    assert_int_equal(plain.n, 2);
    assert_string_equal(plain.names[1], "- ../evil");
    free(t);

    /* Not a tarball: the open fails, visit is never called. */
    t = at("each-none.tar.gz");
    assert_int_equal(rel_fs_write_atomic(t, "no", 2, 0644), 0);
    struct seen none = {0};
    assert_int_equal(rel_tarball_each(t, NULL, 0, visit, &none), REL_EIO);
    assert_int_equal(none.n, 0);
    assert_non_null(strstr(rel_error_message(), "cannot open "));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_reproducible),
        cmocka_unit_test(test_pack_missing_path),
        cmocka_unit_test(test_extract_hostile),
        cmocka_unit_test(test_extract_mild),
        cmocka_unit_test(test_extract_garbage),
        cmocka_unit_test(test_check_listing),
        cmocka_unit_test(test_check_chains),
        cmocka_unit_test(test_each),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
