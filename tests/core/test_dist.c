/*
 * core/md5.c against RFC 1321's test suite, core/etf.c's REL_ETF_HANDLES,
 * and core/dist.c's handshake and calls against a scripted peer that
 * computes the digests itself (the real nodes are in
 * tests/remote/test_nodelink.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/dist.h"
#include "core/error.h"
#include "core/etf.h"
#include "core/md5.h"
#include "core/term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(char out[33], const uint8_t d[16])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_md5_rfc1321(void **state)
{
    (void)state;
    static const char *const vec[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        struct rel_md5 m;
        uint8_t d[16];
        char h[33];
        rel_md5_init(&m);
        /* fed in uneven pieces, to cross block boundaries */
        const char *s = vec[i][0];
        size_t n = strlen(s), step = 1 + i;
        for (size_t off = 0; off < n; off += step)
            rel_md5_update(&m, s + off, n - off < step ? n - off : step);
        rel_md5_final(&m, d);
        hex(h, d);
        assert_string_equal(h, vec[i][1]);
    }
}

static void test_etf_handles(void **state)
{
    (void)state;
    /* term_to_binary(c:pid(0,85,0)) on node 'a@b' with creation 7, by hand:
     * NEW_PID_EXT, SMALL_ATOM_UTF8 "a@b", id 85, serial 0, creation 7 */
    static const unsigned char pid[] = {131, 88, 119, 3, 'a', '@', 'b', 0, 0, 0, 85,
                                        0,   0,  0,   0, 0,   0,   0,   7};
    struct rel_term *t = NULL;
    assert_int_equal(rel_etf_decode(&t, pid, sizeof(pid)), REL_EFORMAT); /* not in release files */
    size_t used = 0;
    assert_int_equal(rel_etf_decode_part(&t, pid, sizeof(pid), REL_ETF_HANDLES, &used), 0);
    assert_int_equal(used, sizeof(pid));
    char *text = rel_term_to_text(t);
    assert_string_equal(text, "{'$pid',a@b,85,0,7}");
    free(text);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_etf_encode(&b, t, REL_ETF_HANDLES | REL_ETF_UTF8_ATOMS), 0);
    assert_int_equal(b.len, sizeof(pid));
    assert_memory_equal(b.ptr, pid, sizeof(pid));
    rel_buf_free(&b);
    rel_term_free(t);
    /* a reference and an export fun; two terms back to back */
    static const unsigned char two[] = {131, 90, 0, 1, 119, 1, 'n', 0, 0, 0, 2, 0, 0, 3, 0xe8,
                                        131, 113, 119, 1, 'm', 119, 1, 'f', 97, 2};
    assert_int_equal(rel_etf_decode_part(&t, two, sizeof(two), REL_ETF_HANDLES, &used), 0);
    text = rel_term_to_text(t);
    assert_string_equal(text, "{'$ref',n,2,[1000]}");
    free(text);
    rel_term_free(t);
    assert_int_equal(used, 15);
    assert_int_equal(rel_etf_decode_part(&t, two + used, sizeof(two) - used, REL_ETF_HANDLES, &used),
                     0);
    text = rel_term_to_text(t);
    assert_string_equal(text, "{'$fun',m,f,2}");
    free(text);
    rel_term_free(t);
}

/* ---- a scripted peer --------------------------------------------------------- */

static void digest(const char *cookie, uint32_t ch, uint8_t out[16])
{
    char s[300];
    snprintf(s, sizeof(s), "%s%u", cookie, ch);
    struct rel_md5 m;
    rel_md5_init(&m);
    rel_md5_update(&m, s, strlen(s));
    rel_md5_final(&m, out);
}

static void frame2(struct rel_buf *b, const void *p, size_t n)
{
    unsigned char h[2] = {(unsigned char)(n >> 8), (unsigned char)n};
    rel_buf_put(b, h, 2);
    rel_buf_put(b, p, n);
}

/* Take everything dist wants to send. */
static void take(struct rel_dist *d, struct rel_buf *into)
{
    size_t n;
    const void *p = rel_dist_output(d, &n);
    rel_buf_put(into, p, n);
    rel_dist_sent(d, n);
}

/* Drive the handshake as the node "peer@h" with `cookie`; returns the
 * result of feeding the ack, whose digest uses `ack_cookie`. */
static int handshake(struct rel_dist *d, const char *cookie, const char *ack_cookie)
{
    struct rel_buf out = REL_BUF_INIT, msg = REL_BUF_INIT;
    take(d, &out);
    assert_true(out.len > 3 && out.ptr[2] == 'N'); /* send_name, OTP 23 form */
    rel_buf_clear(&out);
    frame2(&msg, "sok", 3);
    assert_int_equal(rel_dist_input(d, msg.ptr, msg.len), 0);
    rel_buf_clear(&msg);
    /* challenge 'N': flags (all we check for), challenge 1234, creation, name */
    unsigned char ch[64] = {'N', 0, 0, 0, 0, 0, 0x03, 0x01, 0x04, 0, 0, 0x04, 0xd2, 0, 0, 0, 1,
                            0,   6, 'p', 'e', 'e', 'r', '@', 'h'};
    frame2(&msg, ch, 25);
    assert_int_equal(rel_dist_input(d, msg.ptr, msg.len), 0);
    rel_buf_clear(&msg);
    take(d, &out);
    /* challenge_reply: len 21, 'r', our challenge, digest of 1234 */
    assert_int_equal(out.len, 23);
    assert_int_equal(out.ptr[2], 'r');
    uint8_t want[16];
    digest(cookie, 1234, want);
    assert_memory_equal(out.ptr + 7, want, 16);
    const unsigned char *c = (const unsigned char *)out.ptr + 3;
    uint32_t theirs = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
    unsigned char ack[17] = {'a'};
    digest(ack_cookie, theirs, ack + 1);
    frame2(&msg, ack, 17);
    int rc = rel_dist_input(d, msg.ptr, msg.len);
    rel_buf_free(&out);
    rel_buf_free(&msg);
    return rc;
}

static void test_handshake_and_call(void **state)
{
    (void)state;
    struct rel_dist *d = NULL;
    assert_int_equal(rel_dist_new(&d, "relman_1@h", "peer@h", "COOKIE"), 0);
    assert_int_equal(handshake(d, "COOKIE", "COOKIE"), 0);
    assert_true(rel_dist_ready(d));
    assert_string_equal(rel_dist_peer(d), "peer@h");
    /* a tick is answered with a tick */
    static const unsigned char tick[4] = {0};
    assert_int_equal(rel_dist_input(d, tick, 4), 0);
    struct rel_buf out = REL_BUF_INIT;
    take(d, &out);
    assert_int_equal(out.len, 4);
    rel_buf_clear(&out);
    /* a call goes to rex; the answer {rex, 42}, given one byte at a time */
    struct rel_term *args = rel_term_list_new();
    assert_int_equal(rel_dist_call(d, "erlang", "node", args), 0);
    assert_true(rel_dist_busy(d));
    assert_int_equal(rel_dist_call(d, "erlang", "node", args), REL_EINVAL);
    take(d, &out);
    assert_true(out.len > 5 && (unsigned char)out.ptr[4] == 112);
    rel_buf_clear(&out);
    struct rel_buf body = REL_BUF_INIT;
    rel_buf_putc(&body, 112);
    struct rel_term *ctl = rel_term_tuple(3, rel_term_int(2), rel_term_atom(""),
                                          rel_term_tuple(5, rel_term_atom("$pid"),
                                                         rel_term_atom("relman_1@h"),
                                                         rel_term_int(1), rel_term_int(0),
                                                         rel_term_int(1)));
    struct rel_term *msg = rel_term_tuple(2, rel_term_atom("rex"), rel_term_int(42));
    assert_int_equal(rel_etf_encode(&body, ctl, REL_ETF_HANDLES), 0);
    assert_int_equal(rel_etf_encode(&body, msg, 0), 0);
    unsigned char len[4] = {0, 0, (unsigned char)(body.len >> 8), (unsigned char)body.len};
    struct rel_term *r = NULL;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rel_dist_input(d, len + i, 1), 0);
    for (size_t i = 0; i < body.len; i++) {
        assert_int_equal(rel_dist_reply(d, &r), 0);
        assert_int_equal(rel_dist_input(d, body.ptr + i, 1), 0);
    }
    assert_int_equal(rel_dist_reply(d, &r), 1);
    assert_int_equal(r->kind, REL_TERM_INT);
    assert_int_equal(r->u.i, 42);
    assert_false(rel_dist_busy(d));
    rel_term_free(r);
    rel_term_free(ctl);
    rel_term_free(msg);
    rel_term_free(args);
    rel_buf_free(&body);
    rel_buf_free(&out);
    rel_dist_free(d);
}

static void test_handshake_failures(void **state)
{
    (void)state;
    struct rel_dist *d = NULL;
    /* the node's digest made with another cookie */
    assert_int_equal(rel_dist_new(&d, "relman_1@h", "peer@h", "COOKIE"), 0);
    assert_int_equal(handshake(d, "COOKIE", "OTHER"), REL_EAUTH);
    assert_non_null(strstr(rel_error_message(), "different cookie"));
    assert_null(strstr(rel_error_message(), "COOKIE"));
    rel_dist_free(d);
    /* refused */
    assert_int_equal(rel_dist_new(&d, "relman_1@h", "peer@h", "COOKIE"), 0);
    struct rel_buf msg = REL_BUF_INIT;
    frame2(&msg, "snot_allowed", 12);
    assert_int_equal(rel_dist_input(d, msg.ptr, msg.len), REL_EAUTH);
    assert_non_null(strstr(rel_error_message(), "peer@h: the node refused the connection (status not_allowed)"));
    rel_dist_free(d);
    /* closed after our digest */
    assert_int_equal(rel_dist_new(&d, "relman_1@h", "peer@h", "COOKIE"), 0);
    assert_int_equal(rel_dist_eof(d), REL_EAUTH);
    /* a name that is not a node's */
    assert_int_equal(rel_dist_new(&d, "relman", "peer@h", "COOKIE"), REL_EINVAL);
    rel_buf_free(&msg);
}

static void test_epmd(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    rel_dist_epmd_request(&b, "foo");
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.ptr, "\x00\x04zfoo", 6);
    rel_buf_free(&b);
    int port = 0;
    static const unsigned char ok[] = {119, 0, 0x9c, 0x40, 77, 0, 0, 6, 0, 5, 0, 3, 'f', 'o', 'o'};
    assert_int_equal(rel_dist_epmd_reply(ok, 1, "foo", &port), 0);
    assert_int_equal(rel_dist_epmd_reply(ok, sizeof(ok), "foo", &port), 1);
    assert_int_equal(port, 40000);
    static const unsigned char no[] = {119, 1};
    assert_int_equal(rel_dist_epmd_reply(no, 2, "foo", &port), REL_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md5_rfc1321),       cmocka_unit_test(test_etf_handles),
        cmocka_unit_test(test_handshake_and_call), cmocka_unit_test(test_handshake_failures),
        cmocka_unit_test(test_epmd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
