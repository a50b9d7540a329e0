/*
 * ssh.h - SSH sessions and channels over libssh2, driven without blocking.
 *
 * A session connects in small steps: TCP connect, handshake, host key check
 * against known_hosts (before anything is sent in the user's name), then
 * public key authentication (ssh-agent first, then the identity files, asking
 * for passphrases through the prompt ops). Commands and TCP probes are
 * channels on a connected session, also stepped. Nothing here blocks on the
 * network: every *_step() does what it can and returns REL_SSH_AGAIN when it
 * must wait; the caller then polls the fd from rel_ssh_session_pollfd() (and
 * wakes at rel_ssh_session_deadline()) and steps again. That is how one
 * thread drives many hosts and how the TUI stays responsive. (Prompt
 * callbacks are the exception: they are synchronous, so the front end shows
 * its question from inside the callback.)
 *
 * Host keys (policies as OpenSSH's StrictHostKeyChecking):
 *   strict      an unknown host is refused;
 *   accept-new  an unknown host's key is appended to known_hosts (default);
 *   ask         the prompt ops decide; without them the host is refused.
 * A key that differs from the one in known_hosts, or that a `@revoked` line
 * names, is refused under every policy; the message names both SHA256
 * fingerprints (as OpenSSH prints them) and the known_hosts file and line.
 * known_hosts is read as OpenSSH reads it (sshknown.h): every
 * UserKnownHostsFile and GlobalKnownHostsFile, HostKeyAlias, patterns,
 * hashed names (written under HashKnownHosts). A host only a
 * `@cert-authority` line covers is refused (libssh2 cannot check host
 * certificates).
 *
 * ProxyJump and ProxyCommand (sshproxy.c): a session may run over a
 * direct-tcpip channel of the previous hop's session, or over a command's
 * stdin/stdout; it still polls one fd. ServerAliveInterval keepalives are
 * sent from the channel steps; a passphrase is asked once per key per run.
 *
 * Errors: every libssh2 failure is translated in one place (ssh.c,
 * ssh_error()) into REL_ESSH, REL_EHOSTKEY, REL_EAUTH or REL_ENOMEM with a
 * one-line message naming the host ("web1 (deploy@10.0.0.5 port 22): ...").
 *
 * Threads: a session and its channels belong to one thread at a time.
 */
#ifndef REL_SSH_H
#define REL_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pollfd;
struct rel_buf;
struct rel_ssh_endpoint;
struct rel_remote_events;

/* Returned by the *_step() functions while work remains. */
#define REL_SSH_AGAIN 1

enum rel_ssh_policy {
    REL_SSH_POLICY_STRICT,
    REL_SSH_POLICY_ACCEPT_NEW,
    REL_SSH_POLICY_ASK,
};

/* "strict" (also "yes"), "accept-new", "ask" -> policy; REL_ECONFIG otherwise. */
int rel_ssh_policy_parse(enum rel_ssh_policy *out, const char *name);
const char *rel_ssh_policy_name(enum rel_ssh_policy policy);

/* What a host-key prompt shows. */
struct rel_ssh_hostkey {
    const char *label;       /* the target's name */
    const char *host;        /* "[127.0.0.2]:22201" as written in known_hosts */
    const char *key_type;    /* "ssh-ed25519" */
    const char *fingerprint; /* "SHA256:..." */
    const char *known_hosts; /* the file it will be added to */
};

/*
 * Questions only a person can answer. Both are optional; a missing one means
 * "cannot ask" (an unknown host under policy ask is refused, an encrypted key
 * without its passphrase is skipped).
 */
struct rel_ssh_prompt_ops {
    /* 1: trust the key (it is appended to known_hosts), 0: refuse. */
    int (*confirm_hostkey)(void *ctx, const struct rel_ssh_hostkey *key);
    /* Write the passphrase of `key_file` into buf (NUL-terminated) and return 0,
     * or return REL_ECANCELED to skip this key. `attempt` counts from 1. */
    int (*passphrase)(void *ctx, const char *label, const char *key_file, int attempt, char *buf,
                      size_t size);
};

struct rel_ssh_opts {
    const char *label;                       /* name in messages and events (default: alias) */
    enum rel_ssh_policy policy;              /* host key policy */
    const struct rel_ssh_prompt_ops *prompts; /* may be NULL */
    void *prompt_ctx;
    const struct rel_remote_events *events;  /* may be NULL; kept by pointer */
    int connect_timeout;                     /* seconds for connect+auth; 0: endpoint's or 15 */
    bool use_agent;                          /* try ssh-agent ($SSH_AUTH_SOCK); default true via
                                                rel_ssh_opts_init() */
};

void rel_ssh_opts_init(struct rel_ssh_opts *opts);

/* A passphrase given for a key file is kept in memory for the rest of the
 * run (one prompt per key, not per host) and wiped at exit; this wipes it
 * sooner. */
void rel_ssh_forget_passphrases(void);

/* Monotonic clock in milliseconds, the time base of every deadline here. */
int64_t rel_ssh_now_ms(void);

/* ---- sessions ---------------------------------------------------------- */

struct rel_ssh_session;

/* Create a session for `ep` (copied). Nothing happens until the first step. */
int rel_ssh_session_new(struct rel_ssh_session **out, const struct rel_ssh_endpoint *ep,
                        const struct rel_ssh_opts *opts);

/* Advance the connection: REL_SSH_AGAIN, 0 once authenticated, or a negative
 * code (the error is set; the session is then dead). Calling it on a ready
 * session returns 0; on a dead one, its error again. */
int rel_ssh_session_step(struct rel_ssh_session *s);

bool rel_ssh_session_ready(const struct rel_ssh_session *s);
/* False once the connection failed or was lost. */
bool rel_ssh_session_alive(const struct rel_ssh_session *s);

/* The fd and events to poll for the session and its channels (fills *pfd and
 * returns 1), or 0 when there is no socket yet/any more. */
int rel_ssh_session_pollfd(const struct rel_ssh_session *s, struct pollfd *pfd);

/* Earliest deadline (rel_ssh_now_ms() time) of the session and its channels,
 * or 0 for none. Stepping after it fails the timed-out operation. */
int64_t rel_ssh_session_deadline(const struct rel_ssh_session *s);

const char *rel_ssh_session_label(const struct rel_ssh_session *s);
/* "user@hostname port N" */
const char *rel_ssh_session_peer(const struct rel_ssh_session *s);

/* Disconnect (best effort, bounded) and free; accepts NULL. Channels must be
 * freed first. */
void rel_ssh_session_free(struct rel_ssh_session *s);

/* ---- commands ---------------------------------------------------------- */

#define REL_SSH_DEFAULT_MAX_OUTPUT ((size_t)1 << 20)
#define REL_SSH_STDERR_TAIL 2048

struct rel_ssh_exec_opts {
    const char *command;  /* for the remote user's shell; quote arguments with rel_shell_quote */
    int stdin_fd;         /* stream this fd (a file) as stdin, then EOF; -1: no stdin */
    uint64_t stdin_size;  /* total for progress events (0: unknown) */
    bool interactive;     /* stdin comes from rel_ssh_exec_write(); EOF on close_stdin */
    bool stream;          /* hand output to events->output instead of collecting it */
    /* When set, output goes here instead (and is not collected); for the
     * console, which writes straight to the terminal. */
    void (*sink)(void *ctx, const char *data, size_t len, int is_stderr);
    void *sink_ctx;
    size_t max_output;    /* cap on collected stdout (0: REL_SSH_DEFAULT_MAX_OUTPUT) */
    int timeout_ms;       /* 0: none */
    bool pty;             /* allocate a PTY (merges stderr into stdout) */
    const char *term;     /* TERM for the PTY (default "xterm") */
    int cols, rows;       /* PTY size (default 80x24) */
};

struct rel_ssh_exec;

/* Start `opts->command` on the connected session `s`. The command is
 * reported through the session's events when it begins and ends. */
int rel_ssh_exec_start(struct rel_ssh_exec **out, struct rel_ssh_session *s,
                       const struct rel_ssh_exec_opts *opts);

/*
 * Advance: REL_SSH_AGAIN, 0 when the command finished (rel_ssh_exec_status()
 * tells how), or a negative code when it could not run to the end: lost
 * connection, timeout, output over the cap. A command killed by a signal or
 * whose channel closed without an exit status is NOT 0: its status is 128+N
 * or -1.
 */
int rel_ssh_exec_step(struct rel_ssh_exec *x);

/* 0..255, 128+N when killed by signal N, -1 when no status arrived. */
int rel_ssh_exec_status(const struct rel_ssh_exec *x);
/* Signal name ("TERM") or NULL. */
const char *rel_ssh_exec_signal(const struct rel_ssh_exec *x);
/* Collected output (empty when streaming). stderr keeps its last
 * REL_SSH_STDERR_TAIL bytes at most. */
const char *rel_ssh_exec_stdout(const struct rel_ssh_exec *x);
const char *rel_ssh_exec_stderr(const struct rel_ssh_exec *x);
/* Bytes of stdin sent so far and elapsed milliseconds. */
uint64_t rel_ssh_exec_sent(const struct rel_ssh_exec *x);
int64_t rel_ssh_exec_elapsed_ms(const struct rel_ssh_exec *x);

/* Interactive stdin: queue bytes (capped at 1 MiB queued; REL_ELIMIT beyond),
 * and send EOF once the queue is drained. */
int rel_ssh_exec_write(struct rel_ssh_exec *x, const void *data, size_t len);
void rel_ssh_exec_close_stdin(struct rel_ssh_exec *x);
/* Tell the PTY its new size (sent on the next step). */
void rel_ssh_exec_resize(struct rel_ssh_exec *x, int cols, int rows);

/* Free the channel (closing it if still open); accepts NULL. */
void rel_ssh_exec_free(struct rel_ssh_exec *x);

/* ---- TCP probes (health checks) ---------------------------------------- */

struct rel_ssh_probe;

/* Ask the server to open a TCP connection to host:port from its side
 * (direct-tcpip), as a health check that needs no tools on the host.
 * timeout_ms > 0 bounds it: the server answers a channel open only once
 * its connect() ended, which for a listener whose backlog is full (SYNs
 * dropped) is the kernel's connect timeout, minutes. */
int rel_ssh_probe_start(struct rel_ssh_probe **out, struct rel_ssh_session *s, const char *host,
                        int port, int timeout_ms);
/* REL_SSH_AGAIN; 0 connected; REL_ENOTFOUND nothing listens (or forwarding
 * is disabled: the message says which); other negatives: session failure.
 * Past the timeout: REL_ESSH, "nothing accepted ... within N ms", and the
 * session is closed -- libssh2 cannot abandon a channel open it has sent
 * (its next open would take that one's answer), so the caller reconnects
 * for what comes next. */
int rel_ssh_probe_step(struct rel_ssh_probe *p);
void rel_ssh_probe_free(struct rel_ssh_probe *p);

/* ---- blocking convenience ---------------------------------------------- */

/*
 * Call step(obj) until it returns something other than REL_SSH_AGAIN,
 * polling the session's socket in between (and waking for its deadlines).
 * For one-host work where nothing else needs the loop (tests, simple CLI
 * commands). Returns step's last result.
 */
int rel_ssh_drive(struct rel_ssh_session *s, int (*step)(void *obj), void *obj);

/* The step functions above with the signature rel_ssh_drive() wants. */
int rel_ssh_session_step_cb(void *session);
int rel_ssh_exec_step_cb(void *exec);
int rel_ssh_probe_step_cb(void *probe);

/* ---- helpers (exposed for tests) --------------------------------------- */

/* OpenSSH-style "SHA256:<base64 without padding>" of a key blob, into out. */
int rel_ssh_fingerprint(struct rel_buf *out, const unsigned char *blob, size_t len);

/* Key type ("ssh-ed25519", "ssh-rsa", ...) and encryption of a private key
 * file, from its .pub or its own header; type "unknown" when it cannot be
 * told. Returns 0, or REL_ENOTFOUND / REL_EIO. */
int rel_ssh_keyfile_info(const char *path, char *type, size_t type_size, bool *encrypted);

#endif
