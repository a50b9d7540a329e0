/*
 * launcher.h - the executables of a release: bin/NAME (POSIX sh),
 * bin/NAME.bat, the relocatable erts-VSN/bin/erl, and the patched
 * releases/VSN/elixir and iex of Elixir releases.
 *
 * The texts are relman's own (core/data/bin.sh, bin.bat, erl.sh), compiled
 * in; the few release-specific values are substituted for @@NAME@@ markers.
 * See docs/assemble.md for what bin/NAME does.
 */
#ifndef REL_LAUNCHER_H
#define REL_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>

struct rel_buf;
struct rel_config_start_script;

struct rel_launcher_opts {
    const char *name; /* release name ([a-z][a-z0-9_]*) */
    bool elixir;      /* the release contains Elixir: boot through elixir's CLI */
    /* mix's reboot_system_after_config: boot interactive, then restart into
     * RELEASE_MODE (-elixir config_provider_reboot_mode). */
    bool reboot_after_config;
    /* The VM flags that make an IEx shell (from the installed bin/iex), or
     * NULL for Elixir 1.14's "-noshell -user Elixir.IEx.CLI". */
    const char *iex_flags;
    /* relx's meaning of eval, rpc, start and daemon (else mix's); see
     * releases.NAME.start_script.dialect. */
    bool relx;
    /* Hooks and extensions (releases.NAME.start_script), or NULL. Checked
     * here: a built-in hook outside post_start, an absolute or escaping
     * script path, or an extension named like a command of bin/NAME is
     * refused (REL_ECONFIG, naming the key). */
    const struct rel_config_start_script *script;
};

/* The commands of bin/NAME (both dialects), NULL-terminated: what an
 * extension may not be called. */
extern const char *const rel_launcher_commands[];

/* bin/NAME. */
int rel_launcher_bin_script(struct rel_buf *out, const struct rel_launcher_opts *o);
/* bin/NAME.bat (Windows: start, start_iex, install, eval, rpc, remote,
 * restart, stop, pid, version). */
int rel_launcher_bin_bat(struct rel_buf *out, const struct rel_launcher_opts *o);
/* erts-VSN/bin/erl. */
int rel_launcher_erl(struct rel_buf *out);

/*
 * releases/VSN/elixir from the installed Elixir's bin/elixir `text`: the
 * code path argument into Elixir's own lib dir is removed (the boot script
 * loads Elixir), and, when `erts_vsn` is not NULL (ERTS bundled), the
 * ERTS_BIN placeholder line points at ../../erts-VSN/bin/. A launcher that
 * has neither edit point is refused (REL_EFORMAT naming `file`): a silently
 * unpatched launcher would start the wrong Erlang.
 */
int rel_launcher_patch_elixir(struct rel_buf *out, const char *text, size_t len, const char *file,
                              const char *erts_vsn);

/* The --erl "..." flags the installed bin/iex passes (new string), or NULL
 * when the text has none. */
char *rel_launcher_iex_flags(const char *text, size_t len);

#endif
