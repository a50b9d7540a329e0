/*
 * bootscript.h - boot scripts (.script / .boot) made by relman itself, with
 * the instructions and order of systools:make_script/2 (OTP 25) plus the
 * additions `mix release` makes. No VM is started.
 *
 * Input: the release's applications in .rel order, each with its mode, its
 * parsed .app term and the ebin path to write into the script; the ERTS
 * preloaded modules (the `modules` of lib/erts-VSN/ebin/erts.app). Output:
 * the term {script, {Name, Vsn}, Instructions}; encode it with core/etf for
 * the .boot and print it with rel_term_format_file() for the .script.
 *
 * What systools does and this module does too (reference section 2):
 *   - read each .app's keys (description, vsn, modules, registered and
 *     applications are required; id, optional_applications,
 *     included_applications, env, mod, start_phases, maxT, maxP default);
 *   - drop optional applications that are not in the release from the
 *     dependencies, re-order every app's dependencies and included apps by
 *     their position in the .rel, then sort the apps (Ulf Wiger's algorithm,
 *     stable with respect to the .rel order; cycles are an error);
 *   - emit preLoaded, the mandatory path and primLoad, per-app path and
 *     primLoad (sorted, minus mandatory and preloaded modules, also for
 *     load/none apps), the full path, the kernel processes, application:load
 *     for every app but kernel and `none` apps, start_boot for every app not
 *     load/none and not included by another, and the end (c:erlangrc unless
 *     no_dot_erlang).
 * What `mix release` adds (flags below): {apply,{'Elixir.Config.Provider',
 * boot,[]}} right after stdlib's start_boot, and the consolidated protocols
 * directory in front of every path instruction naming a $RELEASE_LIB dir.
 */
#ifndef REL_BOOTSCRIPT_H
#define REL_BOOTSCRIPT_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

struct rel_term;

struct rel_boot_app {
    const char *name;
    const char *vsn;
    enum rel_mode mode;
    const struct rel_term *app; /* {application, Name, Props} from the .app (borrowed) */
    const char *app_file;       /* for messages */
    const char *ebin;           /* path written in the script, e.g. "$ROOT/lib/kernel-8.5.3/ebin" */
};

struct rel_boot_spec {
    const char *name; /* the script id {Name, Vsn} */
    const char *vsn;
    const struct rel_boot_app *apps; /* .rel order; kernel and stdlib must be there */
    size_t napps;
    const char *const *preloaded; /* module names, any order */
    size_t npreloaded;
    bool no_dot_erlang;       /* leave out {apply,{c,erlangrc,[]}} (mix: true) */
    bool config_provider;     /* mix: runtime config providers exist */
    const char *consolidated; /* mix: "$RELEASE_LIB/../releases/VSN/consolidated", or NULL */
};

/* Build the script term. On error (a bad .app, a cycle, a missing
 * dependency) returns REL_EFORMAT / REL_ERESOLVE with a message naming the
 * .app file or the applications involved. *out is owned by the caller. */
int rel_boot_make(struct rel_term **out, const struct rel_boot_spec *spec);

/*
 * The boot order systools computes: order[i] is the index (into apps) of the
 * i-th application to boot. `apps` is in .rel order. Fails like
 * rel_boot_make() on cycles and missing dependencies.
 */
int rel_boot_order(size_t *order, const struct rel_boot_app *apps, size_t napps);

/* The mandatory modules of OTP 21+ (loaded before kernel_load_completed), in
 * systools' order. */
extern const char *const rel_boot_mandatory[];
extern const size_t rel_boot_nmandatory;

/*
 * The preloaded modules of that ERTS (the .beam files in
 * lib/erts-VSN/ebin under `otp_root`), sorted: a malloc'd array of malloc'd
 * strings.
 * Free with rel_boot_free_strings().
 */
int rel_boot_read_preloaded(char ***out, size_t *count, const char *otp_root, const char *erts_vsn);
void rel_boot_free_strings(char **v, size_t count);

#endif
