/*
 * sshsession.c - what the files of the SSH module share (sshsession.h): the
 * clock, the session's notes, and the one place libssh2's error codes become
 * relman's.
 */
#include "sshsession.h"

#include "events.h"

#include "core/alloc.h"
#include "core/error.h"

#include <libssh2.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t rel_ssh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rel_ssh_note(struct rel_ssh_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rel_remote_vnote(s->opts.events, s->label, fmt, ap);
    va_end(ap);
}

/* Remember what libssh2 wants to wait for after an EAGAIN. */
void rel_ssh_want_io(struct rel_ssh_session *s)
{
    if (s->ssh)
        s->want |= libssh2_session_block_directions(s->ssh);
}

/*
 * The one place libssh2's error codes become relman's. `lrc` is the libssh2
 * return code, `what` says what we were doing. Marks the session dead when the
 * failure is a transport one. Returns the REL_E* code with the message set.
 */
static const struct {
    int lrc;
    int code;
    const char *text;
} ssh_error_table[] = {
    {LIBSSH2_ERROR_SOCKET_NONE, REL_ESSH, "connection failed"},
    {LIBSSH2_ERROR_BANNER_RECV, REL_ESSH, "no SSH banner from the server (not an SSH server?)"},
    {LIBSSH2_ERROR_BANNER_SEND, REL_ESSH, "cannot send the SSH banner"},
    {LIBSSH2_ERROR_INVALID_MAC, REL_ESSH, "corrupted data (invalid MAC)"},
    {LIBSSH2_ERROR_KEX_FAILURE, REL_ESSH, "key exchange failed (no common algorithm)"},
    {LIBSSH2_ERROR_ALLOC, REL_ENOMEM, "out of memory in libssh2"},
    {LIBSSH2_ERROR_SOCKET_SEND, REL_ESSH, "connection lost (send failed)"},
    {LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, REL_ESSH, "key exchange failed"},
    {LIBSSH2_ERROR_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_HOSTKEY_INIT, REL_EHOSTKEY, "cannot use the server's host key"},
    {LIBSSH2_ERROR_HOSTKEY_SIGN, REL_EHOSTKEY, "the server's host key signature is invalid"},
    {LIBSSH2_ERROR_DECRYPT, REL_ESSH, "decryption failed"},
    {LIBSSH2_ERROR_SOCKET_DISCONNECT, REL_ESSH, "connection closed by the server"},
    {LIBSSH2_ERROR_PROTO, REL_ESSH, "SSH protocol error"},
    {LIBSSH2_ERROR_PASSWORD_EXPIRED, REL_EAUTH, "password expired"},
    {LIBSSH2_ERROR_FILE, REL_EAUTH, "cannot read the key file (wrong passphrase or unsupported format)"},
    {LIBSSH2_ERROR_METHOD_NONE, REL_ESSH, "no usable method"},
    {LIBSSH2_ERROR_AUTHENTICATION_FAILED, REL_EAUTH, "authentication failed"},
    {LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, REL_EAUTH, "the key could not be verified (wrong passphrase?)"},
    {LIBSSH2_ERROR_CHANNEL_OUTOFORDER, REL_ESSH, "channel out of order"},
    {LIBSSH2_ERROR_CHANNEL_FAILURE, REL_ESSH, "channel failure"},
    {LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED, REL_ESSH, "the server denied the channel request"},
    {LIBSSH2_ERROR_CHANNEL_UNKNOWN, REL_ESSH, "unknown channel"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_EXCEEDED, REL_ESSH, "channel window exceeded"},
    {LIBSSH2_ERROR_CHANNEL_PACKET_EXCEEDED, REL_ESSH, "channel packet too large"},
    {LIBSSH2_ERROR_CHANNEL_CLOSED, REL_ESSH, "channel closed"},
    {LIBSSH2_ERROR_CHANNEL_EOF_SENT, REL_ESSH, "channel already at EOF"},
    {LIBSSH2_ERROR_SOCKET_TIMEOUT, REL_ESSH, "timed out"},
    {LIBSSH2_ERROR_REQUEST_DENIED, REL_ESSH, "request denied by the server"},
    {LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, REL_ESSH, "method not supported"},
    {LIBSSH2_ERROR_INVAL, REL_ESSH, "invalid argument to libssh2"},
    {LIBSSH2_ERROR_PUBLICKEY_PROTOCOL, REL_EAUTH, "public key protocol error"},
    {LIBSSH2_ERROR_BUFFER_TOO_SMALL, REL_ESSH, "buffer too small"},
    {LIBSSH2_ERROR_BAD_USE, REL_ESSH, "libssh2 misused"},
    {LIBSSH2_ERROR_AGENT_PROTOCOL, REL_EAUTH, "ssh-agent protocol error"},
    {LIBSSH2_ERROR_SOCKET_RECV, REL_ESSH, "connection lost (receive failed)"},
    {LIBSSH2_ERROR_ENCRYPT, REL_ESSH, "encryption failed"},
    {LIBSSH2_ERROR_BAD_SOCKET, REL_ESSH, "bad socket"},
    {LIBSSH2_ERROR_KNOWN_HOSTS, REL_EHOSTKEY, "known_hosts error"},
    {LIBSSH2_ERROR_CHANNEL_WINDOW_FULL, REL_ESSH, "channel window full"},
    {LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, REL_EAUTH, "key file authentication failed"},
};

bool rel_ssh_fatal_error(int lrc)
{
    switch (lrc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_INVALID_MAC:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_BAD_SOCKET:
        return true;
    default:
        return false;
    }
}

void rel_ssh_die(struct rel_ssh_session *s, int code)
{
    s->st = S_DEAD;
    s->error = code;
    free(s->error_msg);
    s->error_msg = rel_strdup(rel_error_message());
}

int rel_ssh_error(struct rel_ssh_session *s, int lrc, const char *what)
{
    int code = REL_ESSH;
    const char *text = "unknown libssh2 error";
    for (size_t i = 0; i < sizeof(ssh_error_table) / sizeof(ssh_error_table[0]); i++)
        if (ssh_error_table[i].lrc == lrc) {
            code = ssh_error_table[i].code;
            text = ssh_error_table[i].text;
            break;
        }
    char *detail = NULL;
    if (s->ssh)
        libssh2_session_last_error(s->ssh, &detail, NULL, 0);
    if (detail && *detail && strcmp(detail, text) != 0)
        rel_error_set(code, "%s (%s): %s: %s (%s)", s->label, s->peer, what, text, detail);
    else
        rel_error_set(code, "%s (%s): %s: %s", s->label, s->peer, what, text);
    if (rel_ssh_fatal_error(lrc))
        rel_ssh_die(s, code);
    return code;
}

/* A failure that is ours, not libssh2's: set the message, kill the session. */
int rel_ssh_fail(struct rel_ssh_session *s, int code, const char *fmt, ...)
{
    char msg[REL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rel_error_set(code, "%s (%s): %s", s->label, s->peer, msg);
    rel_ssh_die(s, code);
    return code;
}

/* A person may take their time answering a prompt: the connect timeout
 * starts again afterwards. */
void rel_ssh_after_prompt(struct rel_ssh_session *s)
{
    s->deadline = rel_ssh_now_ms() + (int64_t)s->timeout_s * 1000;
}

/* Base64 (standard alphabet) of data into out, without '=' padding when
 * `pad` is false (OpenSSH fingerprints). */
void rel_ssh_base64_put(struct rel_buf *out, const unsigned char *data, size_t len, bool pad)
{
    size_t enc_len = 4 * ((len + 2) / 3);
    unsigned char *enc = rel_malloc(enc_len + 1);
    EVP_EncodeBlock(enc, data, (int)len);
    size_t n = enc_len;
    if (!pad)
        while (n > 0 && enc[n - 1] == '=')
            n--;
    rel_buf_put(out, enc, n);
    free(enc);
}

/* Decode base64 `in` (no whitespace) into a malloc'd buffer; NULL if invalid. */
unsigned char *rel_ssh_base64_decode(const char *in, size_t *out_len)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len > KNOWN_HOSTS_MAX)
        return NULL;
    unsigned char *out = rel_malloc(len / 4 * 3 + 1);
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding bytes as data. */
    if (len >= 1 && in[len - 1] == '=')
        n--;
    if (len >= 2 && in[len - 2] == '=')
        n--;
    *out_len = (size_t)n;
    return out;
}
