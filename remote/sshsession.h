/*
 * sshsession.h - the insides of an SSH session (ssh.h), shared by the files
 * of the SSH module and nothing else: sshsession.c (these helpers: notes,
 * libssh2's errors, base64), ssh.c (connecting, the step loop, keepalives),
 * sshkeys.c (host keys, fingerprints, key files, why a key exchange failed),
 * sshknown.c (known_hosts files), sshauth.c (authentication, the run's
 * passphrases), sshproxy.c (ProxyJump, ProxyCommand) and sshchan.c (command
 * and probe channels). The calls go one way: ssh.c uses sshproxy.c,
 * sshkeys.c and sshauth.c; sshproxy.c uses ssh.c's public API for the hop
 * (a session of its own); sshkeys.c uses sshknown.c; sshauth.c uses
 * sshkeys.c; all use sshsession.c.
 */
#ifndef REL_SSHSESSION_H
#define REL_SSHSESSION_H

#include "ssh.h"
#include "sshconfig.h"
#include "sshknown.h"

#include "core/buf.h"

#include <libssh2.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define KNOWN_HOSTS_MAX ((size_t)4 << 20)
#define KEYFILE_MAX ((size_t)64 << 10)

enum session_state {
    S_RESOLVE,
    S_JUMP,      /* connecting the previous ProxyJump hop */
    S_JUMP_OPEN, /* opening the direct-tcpip channel over it */
    S_PROXY,     /* starting ProxyCommand */
    S_CONNECT,
    S_WAIT_CONNECT,
    S_INIT,
    S_HANDSHAKE,
    S_HOSTKEY,
    S_AUTHLIST,
    S_AGENT_INIT,
    S_AGENT_TRY,
    S_KEYFILE_NEXT,
    S_KEYFILE_TRY,
    S_AUTH_FAILED,
    S_READY,
    S_DEAD,
};

struct rel_ssh_session {
    struct rel_ssh_endpoint ep;
    struct rel_ssh_opts opts;
    char *label;
    char *peer;    /* "user@host port N" */
    char *kh_name; /* "host", "[host]:port" or the HostKeyAlias, as in known_hosts */
    enum session_state st;
    int sock;
    struct addrinfo *ai, *ai_next;
    int connect_errno;
    LIBSSH2_SESSION *ssh;
    struct rel_sshknown known; /* the known_hosts lines for kh_name */
    int want;                  /* LIBSSH2_SESSION_BLOCK_* (or ours) to poll for */
    int64_t deadline;          /* of the connect phase */
    int timeout_s;             /* its length */
    int error;                 /* sticky error once dead */
    char *error_msg;
    /* authentication */
    char *authlist;
    LIBSSH2_AGENT *agent;
    struct libssh2_agent_publickey *agent_prev;
    struct libssh2_agent_publickey *agent_cur;
    int agent_skipped;
    size_t key_index;
    char key_type[64];
    bool key_encrypted;
    int pass_attempt;
    bool pass_cached; /* the passphrase came from this run's memory (sshauth.c) */
    char passphrase[512];
    struct rel_buf tried; /* "agent ssh-ed25519 SHA256:..., /path (ssh-rsa)" */
    char *rsa_refused;    /* the first RSA key the server refused */
    /* ProxyJump and ProxyCommand (sshproxy.c) */
    struct rel_ssh_session *jump; /* the previous hop, connected first; owned */
    LIBSSH2_CHANNEL *jump_ch;     /* direct-tcpip to ep.hostname:port through it */
    int jump_dirs;                /* what the hop's session last waited for */
    int proxy_pid;                /* ProxyCommand's process, or 0 */
    /* the server's first bytes (banner, KEXINIT: plain text on the wire),
     * kept until the handshake is done to explain a failed key exchange */
    struct rel_buf rx_head;
    bool rx_head_done;
    /* ServerAliveInterval (ssh.c) */
    bool keepalive_on;
    int64_t last_rx;        /* when bytes last came from the server */
    int64_t next_keepalive; /* when to call libssh2_keepalive_send next */
};

/* Report a note through the session's events. */
void rel_ssh_note(struct rel_ssh_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Remember what libssh2 wants to wait for after an EAGAIN. */
void rel_ssh_want_io(struct rel_ssh_session *s);
/* True for a libssh2 error after which the connection is gone. */
bool rel_ssh_fatal_error(int lrc);
/* Mark the session dead with `code` and the current error message. */
void rel_ssh_die(struct rel_ssh_session *s, int code);
/* The one place libssh2's error codes become relman's: REL_ESSH,
 * REL_EHOSTKEY, REL_EAUTH or REL_ENOMEM with "LABEL (PEER): WHAT: why" set;
 * the session is marked dead when the connection is gone. */
int rel_ssh_error(struct rel_ssh_session *s, int lrc, const char *what);
/* A failure that is ours, not libssh2's: set the message, kill the session. */
int rel_ssh_fail(struct rel_ssh_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The connect timeout starts again after a person answered a prompt. */
void rel_ssh_after_prompt(struct rel_ssh_session *s);

/* Base64 (standard alphabet) of data into out, without '=' padding when
 * `pad` is false (OpenSSH fingerprints). */
void rel_ssh_base64_put(struct rel_buf *out, const unsigned char *data, size_t len, bool pad);
/* Decode base64 `in` (no whitespace) into a malloc'd buffer; NULL if invalid. */
unsigned char *rel_ssh_base64_decode(const char *in, size_t *out_len);

/* Free a channel; on a ready session blocking for at most 2 s, so the
 * server hears the close (sshchan.c). NULL is fine. */
void rel_ssh_channel_release(struct rel_ssh_session *s, LIBSSH2_CHANNEL *ch);

/* One attempt at a direct-tcpip channel to host:port from the server's side
 * (sshchan.c; its probes and sshtunnel.c use it): 0 and *ch;
 * REL_SSH_AGAIN (what to wait for is noted); REL_ENOTFOUND when nothing
 * listens there or the server forbids forwarding (the message says which);
 * else the session's failure, `what` naming the action. */
int rel_ssh_direct_open(struct rel_ssh_session *s, const char *host, int port, const char *what,
                        LIBSSH2_CHANNEL **ch);

/* ServerAliveInterval: send a keepalive when due and fail the session when
 * the server has not answered for ServerAliveCountMax of them (ssh.c).
 * Called from every step on a ready session (sshchan.c). */
int rel_ssh_keepalive(struct rel_ssh_session *s);

/* sshkeys.c */
void rel_ssh_blob_type(const unsigned char *blob, size_t len, char *type, size_t size);
/* Note bytes received from the server (rx_head, last_rx); the recv
 * callbacks call it. */
void rel_ssh_received(struct rel_ssh_session *s, const void *data, size_t len);
/* Why the key exchange failed, from the server's KEXINIT in rx_head, when
 * the cause is the host key algorithms (an RSA-only server and libssh2
 * 1.10 above all): a malloc'd sentence, or NULL. */
char *rel_ssh_kex_diagnose(const struct rel_ssh_session *s);
/* The server_host_key_algorithms name-list of a KEXINIT after the banner,
 * in `data` (what the server sent first); 0, or -1 when not there (yet). */
int rel_ssh_kexinit_hostkeys(const unsigned char *data, size_t len, struct rel_buf *out);
/* Read the known_hosts files' lines for s->kh_name into s->known (S_INIT). */
int rel_ssh_load_known_hosts(struct rel_ssh_session *s);
/* Prefer the host key types known_hosts has for this host. */
int rel_ssh_pin_host_key_types(struct rel_ssh_session *s);
/* S_HOSTKEY: check (or, by policy, add) the server's key; 0 when trusted. */
int rel_ssh_check_host_key(struct rel_ssh_session *s);

/* sshproxy.c: the states S_JUMP .. S_PROXY; then, for a session through a
 * hop, the fd libssh2 is given (the first hop's socket), its I/O callbacks
 * (set after libssh2_session_init_ex) and what to poll. */
int rel_ssh_proxy_step(struct rel_ssh_session *s);
int rel_ssh_proxy_fd(const struct rel_ssh_session *s);
void rel_ssh_proxy_callbacks(struct rel_ssh_session *s);
int rel_ssh_proxy_pollfd(const struct rel_ssh_session *s, struct pollfd *pfd);
/* Free the hop (channel, session) or stop ProxyCommand's process; after
 * the session's own libssh2 session is gone. */
void rel_ssh_proxy_free(struct rel_ssh_session *s);

/* sshauth.c: one step of the states S_AUTHLIST .. S_AUTH_FAILED. */
int rel_ssh_auth_step(struct rel_ssh_session *s);

#endif
