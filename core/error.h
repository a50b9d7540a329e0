/*
 * error.h - relman's error model.
 *
 * Functions return 0 on success or a negative REL_E* code. The human message
 * is set once, where the failure happens, with rel_error_set() (or
 * rel_error_set_errno() when the OS failed), and is passed up unchanged.
 * Callers that know more context (a file name the lower layer did not know)
 * may add it in front with rel_error_prefix(). The last error is per thread.
 *
 * How to add an error code: add one line to REL_ERROR_TABLE. Its name
 * (rel_error_name) and its generic description (rel_error_describe) come
 * from that line. The code does not become the process's exit status: the
 * CLI exits 1 for every failure and 2 for REL_EUSAGE (docs/cli.md, "Exit
 * status").
 */
#ifndef REL_ERROR_H
#define REL_ERROR_H

#include <stdarg.h>

/* X(NAME, value, generic description) */
#define REL_ERROR_TABLE                                                                            \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EIO, -2, "input/output error")                                                               \
    X(ENOTFOUND, -3, "not found")                                                                  \
    X(EINVAL, -4, "invalid argument")                                                              \
    X(EPARSE, -5, "parse error")                                                                   \
    X(EFORMAT, -6, "malformed file")                                                               \
    X(ELIMIT, -7, "size or depth limit exceeded")                                                  \
    X(EUSAGE, -8, "usage error")                                                                   \
    X(ECONFIG, -9, "configuration error")                                                          \
    X(EUNSAFE, -10, "unsafe path")                                                                 \
    X(EEXISTS, -11, "already exists")                                                              \
    X(ERESOLVE, -12, "application resolution failed")                                              \
    X(ETEMPLATE, -13, "template error")                                                            \
    X(ECHILD, -14, "child process failed")                                                         \
    X(ESSH, -15, "ssh error")                                                                      \
    X(EHOSTKEY, -16, "host key verification failed")                                               \
    X(EAUTH, -17, "authentication failed")                                                         \
    X(ELOCKED, -18, "locked by someone else")                                                      \
    X(ECANCELED, -19, "canceled")                                                                  \
    X(EUNSUPPORTED, -20, "not supported")                                                          \
    X(ETIMEOUT, -21, "timed out")

enum rel_error_code {
#define X(name, value, desc) REL_##name = value,
    REL_ERROR_TABLE
#undef X
};

/* Maximum length of one error message, including the terminating NUL. */
#define REL_ERROR_MSG_MAX 1024

/*
 * Set the calling thread's last error to `code` with a printf-style message.
 * Returns `code`, so callers can write `return rel_error_set(...)`.
 */
int rel_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rel_error_setv(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* As rel_error_set(), appending ": strerror(errnum)". Returns `code`. */
int rel_error_set_errno(int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "CONTEXT: " in front of the current message (e.g. a file name). */
void rel_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last error's code (REL_OK when none) and message. The message is never
 * NULL: when no message was set it is the code's generic description. The
 * pointer is valid until the next rel_error_* call on this thread. */
int rel_error_code(void);
const char *rel_error_message(void);

/* Forget the last error. */
void rel_error_clear(void);

/* Name ("ENOTFOUND") and generic description of a code; "unknown" for others. */
const char *rel_error_name(int code);
const char *rel_error_describe(int code);

#endif
