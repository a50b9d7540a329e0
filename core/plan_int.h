/*
 * plan_int.h - what the files of the plan module share; not for use outside
 * them (everything else uses core/plan.h).
 *
 * rel_plan_build() is written in two files along one seam:
 *   plan.c       the builder: entries (add, trees of files, overlays), the
 *                steps, sorting and uniqueness, the public functions;
 *   plan_overlay.c  relx's overlay operations (mkdir, copy, template,
 *                link, chmod) and their variables;
 *   plan_eex.c   templates beyond the EEx subset, through Elixir's EEx;
 *   plan_text.c  the generated texts: template variables and templates
 *                (vm.args, env.sh, ...), boot scripts, sys.config (Mix
 *                config evaluated with elixir, relx's file checked), the
 *                relx vm.args rewrite, bin/NAME and the Elixir scripts, the
 *                .rel, start_erl.data and COOKIE entries.
 * This header is the builder state both share, plan.c's helpers that
 * plan_text.c calls, and plan_text.c's generators that plan.c calls. Every
 * function returns 0 or a negative REL_E* code with the error set.
 */
#ifndef REL_PLAN_INT_H
#define REL_PLAN_INT_H

#include "buf.h"
#include "plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rel_model;
struct rel_project;
struct rel_config_release;

#define REL_PLAN_MAX_TEXT_INPUT ((size_t)16 << 20)

/* Everything the builder needs while it works. Entries are collected with
 * a sequence number; the last one written for a path wins (overlays come
 * last and replace generated files, as with mix). */
struct rel_plan_builder {
    struct rel_plan *p;
    const struct rel_model *m;
    const struct rel_project *proj;
    const struct rel_config_release *r;
    const struct rel_plan_opts *o;
    size_t cap;
    size_t *seq;
    size_t next_seq;
    char *version_dir; /* "releases/VSN" */
    bool mix;
    /* Mix runtime configuration (plan.c's runtime_config()): config
     * providers exist (runtime.exs or config_providers), the runtime file is
     * the deprecated releases.exs, and the system reboots after configuring
     * (reboot_system_after_config, which defaults to true with releases.exs) */
    bool providers;
    bool runtime_deprecated;
    bool reboot;
};

/* ---- plan.c ---- */

/* A line the user should hear about: kept in p->notes and logged (INFO). */
void rel_plan_note(struct rel_plan_builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One entry (`data` copied; `path` checked to stay inside the release). */
int rel_plan_add(struct rel_plan_builder *b, const char *path, enum rel_plan_kind kind, mode_t mode,
                 const char *src, const char *data, size_t len, uint64_t size, const char *origin);
/* A TEXT entry holding `text`. */
int rel_plan_add_text(struct rel_plan_builder *b, const char *path, const struct rel_buf *text,
                      mode_t mode, const char *origin);
bool rel_plan_ends_with(const char *s, const char *suffix);
/* `p` relative to the project root (absolute stays), normalized. New string. */
char *rel_plan_project_path(const struct rel_plan_builder *b, const char *p);
/* The ERTS directory the release runs on (erts-VSN). New string. */
char *rel_plan_erts_dir(const struct rel_plan_builder *b);
/* Mix: the build-time configuration file (project.config_path, else
 * config/config.exs), absolute. New string. */
char *rel_plan_mix_config_path(const struct rel_plan_builder *b);

/* ---- plan_eex.c ---- */

/* Render template `text` (`shown`: its path as the user knows it) with
 * Elixir's EEx and @release as mix builds it (core/eex.h), into `out`. */
int rel_plan_render_eex(struct rel_plan_builder *b, struct rel_buf *out, const char *text,
                        size_t len, const char *shown);

/* ---- plan_text.c ---- */

/* releases/VSN/start.{script,boot} and start_clean.{script,boot}. */
int rel_plan_boot_scripts(struct rel_plan_builder *b, bool providers, const char *consolidated);
/* releases/VSN/sys.config: Mix config (with the runtime.exs provider when
 * `runtime` names it), or relx's sys_config file (checked), or []. */
int rel_plan_sys_config_mix(struct rel_plan_builder *b, const char *runtime);
int rel_plan_sys_config_other(struct rel_plan_builder *b);
/* vm.args (or relx's, rewritten), remote.vm.args, env.sh (env.bat).
 * *vm_cookie: the -setcookie moved out of relx's vm.args, or NULL. */
int rel_plan_templates(struct rel_plan_builder *b, char **vm_cookie);
/* bin/NAME (.bat), and releases/VSN/elixir and iex for Elixir releases. */
int rel_plan_executables(struct rel_plan_builder *b);
/* releases/VSN/NAME.rel, releases/start_erl.data, releases/COOKIE, and
 * (relx's projects) releases/RELEASES. */
int rel_plan_release_files(struct rel_plan_builder *b, const char *vm_cookie);

/* ---- plan_overlay.c ---- */

/* releases.*.relx_overlay applied, in order, to the entries planned so far. */
int rel_plan_relx_overlay(struct rel_plan_builder *b);

#endif
