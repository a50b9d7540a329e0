/* Unit tests for remote/sshknown.c: known_hosts read as OpenSSH reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../core/fixture.h"
#include "remote/sshknown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two made-up ed25519 key blobs (the wire format: type string, key string). */
static const unsigned char key_a[] = {0,   0,   0,   11, 's', 's', 'h', '-', 'e', 'd', '2', '5',
                                      '5', '1', '9', 0,  0,   0,   4,   'A', 'A', 'A', 'A'};
static const unsigned char key_b[] = {0,   0,   0,   11, 's', 's', 'h', '-', 'e', 'd', '2', '5',
                                      '5', '1', '9', 0,  0,   0,   4,   'B', 'B', 'B', 'B'};
#define B64_A "AAAAC3NzaC1lZDI1NTE5AAAABEFBQUE="
#define B64_B "AAAAC3NzaC1lZDI1NTE5AAAABEJCQkI="

static bool match(const char *field, const char *name)
{
    return rel_sshknown_match(field, strlen(field), name);
}

static void names(void **state)
{
    (void)state;
    char *n = rel_sshknown_name("Web1.Example", 22);
    assert_string_equal(n, "web1.example"); /* [host]:22 is host */
    free(n);
    n = rel_sshknown_name("10.0.0.5", 2222);
    assert_string_equal(n, "[10.0.0.5]:2222");
    free(n);
}

static void patterns(void **state)
{
    (void)state;
    assert_true(match("web1", "web1"));
    assert_true(match("WEB1", "web1"));
    assert_false(match("web1", "[web1]:2222")); /* host never answers for [host]:port */
    assert_true(match("[web1]:2222", "[web1]:2222"));
    assert_true(match("other,[web1]:2222", "[web1]:2222"));
    assert_true(match("web*", "web1"));
    assert_true(match("*", "[web1]:2222"));
    assert_true(match("w?b1", "web1"));
    assert_false(match("w?b1", "wb1"));
    assert_true(match("*.example", "a.b.example"));
    assert_false(match("*.example", "example"));
    /* a matching negation excludes the line, whatever its order */
    assert_false(match("!web1,web*", "web1"));
    assert_false(match("web*,!web1", "web1"));
    assert_true(match("web*,!web2", "web1"));
    assert_false(match("!web2", "web1")); /* negations alone never match */
    assert_false(match("", "web1"));
}

static void hashed(void **state)
{
    (void)state;
    unsigned char salt[20];
    for (int i = 0; i < 20; i++)
        salt[i] = (unsigned char)i;
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_sshknown_hash(&b, "[127.0.0.2]:2222", salt), 0);
    /* HMAC-SHA1(salt, name), as OpenSSH (and Python's hmac) computes it */
    assert_string_equal(rel_buf_cstr(&b),
                        "|1|AAECAwQFBgcICQoLDA0ODxAREhM=|cEehrHEaLZ7NfnB0YaDdwTR8vaA=");
    assert_true(match(rel_buf_cstr(&b), "[127.0.0.2]:2222"));
    assert_false(match(rel_buf_cstr(&b), "127.0.0.2"));
    rel_buf_free(&b);
    /* random salts differ, and still match */
    struct rel_buf c = REL_BUF_INIT, d = REL_BUF_INIT;
    assert_int_equal(rel_sshknown_hash(&c, "h", NULL), 0);
    assert_int_equal(rel_sshknown_hash(&d, "h", NULL), 0);
    assert_string_not_equal(rel_buf_cstr(&c), rel_buf_cstr(&d));
    assert_true(match(rel_buf_cstr(&c), "h"));
    rel_buf_free(&c);
    rel_buf_free(&d);
}

static enum rel_sshknown_status judge(const char *user, const char *global, const char *name,
                                      const unsigned char *key, int *line, char *file,
                                      size_t file_size)
{
    char *dir = fx_dir();
    fx_write(dir, "user", user);
    if (global)
        fx_write(dir, "global", global);
    char *u = rel_path_join2(dir, "user"), *g = rel_path_join2(dir, "global"),
         *missing = rel_path_join2(dir, "missing");
    const char *files[] = {missing, u, g, NULL};
    struct rel_sshknown kh;
    assert_int_equal(rel_sshknown_load(&kh, files, name), 0);
    const struct rel_sshknown_entry *hit = NULL;
    enum rel_sshknown_status st = rel_sshknown_check(&kh, "ssh-ed25519", key, sizeof(key_a), &hit);
    *line = hit ? hit->line : 0;
    snprintf(file, file_size, "%s", hit ? strrchr(hit->file, '/') + 1 : "");
    rel_sshknown_free(&kh);
    free(u);
    free(g);
    free(missing);
    fx_done(dir);
    return st;
}

static void statuses(void **state)
{
    (void)state;
    int line;
    char file[64];
    const char *n = "[h]:2222";
    assert_int_equal(judge("", NULL, n, key_a, &line, file, sizeof(file)), REL_SSHKNOWN_NEW);
    assert_int_equal(judge("# c\n\n[h]:2222 ssh-ed25519 " B64_A " me\n", NULL, n, key_a, &line,
                           file, sizeof(file)),
                     REL_SSHKNOWN_OK);
    assert_int_equal(line, 3);
    /* a different key of the type: changed, with its line */
    assert_int_equal(judge("x ssh-ed25519 " B64_A "\n[h]:2222 ssh-ed25519 " B64_B "\n", NULL, n,
                           key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_CHANGED);
    assert_int_equal(line, 2);
    assert_string_equal(file, "user");
    /* the global file counts */
    assert_int_equal(
        judge("", "[h]:2222 ssh-ed25519 " B64_B "\n", n, key_a, &line, file, sizeof(file)),
        REL_SSHKNOWN_CHANGED);
    assert_string_equal(file, "global");
    /* one file holding the key is enough, though another has a different one */
    assert_int_equal(judge("[h]:2222 ssh-ed25519 " B64_A "\n", "[h]:2222 ssh-ed25519 " B64_B "\n",
                           n, key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_OK);
    /* a `h` entry is not for [h]:2222 */
    assert_int_equal(judge("h ssh-ed25519 " B64_B "\n", NULL, n, key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_NEW);
    /* @revoked wins over a plain line holding the same key */
    assert_int_equal(judge("[h]:2222 ssh-ed25519 " B64_A "\n", "@revoked * ssh-ed25519 " B64_A "\n",
                           n, key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_REVOKED_KEY);
    assert_string_equal(file, "global");
    assert_int_equal(line, 1);
    /* a revoked other key does not matter */
    assert_int_equal(judge("@revoked * ssh-ed25519 " B64_B "\n[h]:2222 ssh-ed25519 " B64_A "\n",
                           NULL, n, key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_OK);
    /* only a CA applies */
    assert_int_equal(judge("@cert-authority *.x,[h]:* ssh-ed25519 " B64_B "\n", NULL, n, key_a,
                           &line, file, sizeof(file)),
                     REL_SSHKNOWN_CA_ONLY);
    /* unknown markers, bad base64 and short lines are skipped */
    assert_int_equal(judge("@weird [h]:2222 ssh-ed25519 " B64_B "\n[h]:2222 ssh-ed25519 !!!!\n"
                           "[h]:2222\n[h]:2222 ssh-ed25519\n",
                           NULL, n, key_a, &line, file, sizeof(file)),
                     REL_SSHKNOWN_NEW);
    /* negated: the line is not for this host */
    assert_int_equal(
        judge("[h]:*,![h]:2222 ssh-ed25519 " B64_B "\n", NULL, n, key_a, &line, file, sizeof(file)),
        REL_SSHKNOWN_NEW);
}

static void append(void **state)
{
    (void)state;
    char *dir = fx_dir();
    char *f = rel_path_join2(dir, "sub/known_hosts");
    assert_int_equal(rel_sshknown_append(f, "[h]:2222", false, "ssh-ed25519", key_a, sizeof(key_a)),
                     0);
    assert_int_equal(rel_sshknown_append(f, "[h]:2222", true, "ssh-ed25519", key_b, sizeof(key_b)),
                     0);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, f, 1 << 20), 0);
    const char *t = rel_buf_cstr(&b);
    assert_memory_equal(t, "[h]:2222 ssh-ed25519 " B64_A "\n|1|", 21 + strlen(B64_A) + 4);
    assert_non_null(strstr(t, " ssh-ed25519 " B64_B "\n"));
    const char *files[] = {f, NULL};
    struct rel_sshknown kh;
    assert_int_equal(rel_sshknown_load(&kh, files, "[h]:2222"), 0);
    assert_int_equal(kh.nentries, 2);
    assert_int_equal(kh.entries[1].line, 2);
    rel_sshknown_free(&kh);
    rel_buf_free(&b);
    free(f);
    fx_done(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),    cmocka_unit_test(patterns), cmocka_unit_test(hashed),
        cmocka_unit_test(statuses), cmocka_unit_test(append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
