/*
 * shell.h - POSIX shell quoting.
 *
 * Every argument relman puts in a command line that a shell will read (a
 * remote command over SSH, a hook) goes through rel_shell_quote().
 */
#ifndef REL_SHELL_H
#define REL_SHELL_H

struct rel_buf;

/* Append `arg` to `out` so that a POSIX shell reads it back as one word equal
 * to `arg`. Words of only [A-Za-z0-9_@%+=:,./-] are left bare; everything
 * else is single-quoted, with ' written as '\''. The empty string is ''. */
int rel_shell_quote(struct rel_buf *out, const char *arg);

/* Append all of argv (NULL-terminated), quoted and separated by spaces. */
int rel_shell_join(struct rel_buf *out, const char *const *argv);

#endif
