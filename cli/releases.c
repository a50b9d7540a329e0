/*
 * releases.c - `relman releases [--json]`: the releases of relman.yml.
 */
#include "cli.h"

#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "core/project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The version a release will have (a computed one run: `{cmd}`, `{git}`),
 * or NULL when it is unknown. New string. */
static char *release_version(const struct rel_project *p, const struct rel_config_release *r)
{
    char *v = NULL;
    if (rel_project_release_version(&v, NULL, p, r) < 0)
        rel_error_clear();
    return v;
}

/* The release's path relative to the project root when inside it. */
static const char *short_path(const struct rel_project *p, const char *abs)
{
    size_t n = strlen(p->root);
    if (strncmp(abs, p->root, n) == 0 && abs[n] == '/')
        return abs + n + 1;
    return abs;
}

static bool is_default(const struct rel_config *cfg, const struct rel_config_release *r)
{
    /* of several versions of one release, the one `default_release` picks */
    if (cfg->default_release)
        return rel_config_find_release(cfg, cfg->default_release) == r;
    return cfg->nreleases == 1;
}

/* NAME, or KEY (NAME) for an entry whose key is not its name (another
 * version of a release). */
static void shown_name(char *buf, size_t size, const struct rel_config_release *r)
{
    if (strcmp(r->key, r->name) == 0)
        snprintf(buf, size, "%s", r->name);
    else
        snprintf(buf, size, "%s (%s)", r->key, r->name);
}

static int print_json(const struct rel_project *p)
{
    const struct rel_config *cfg = p->config;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_json j;
    rel_json_init(&j, &out, true);
    rel_json_object_begin(&j);
    rel_json_key(&j, "project");
    rel_json_object_begin(&j);
    rel_json_kv_string(&j, "root", p->root);
    rel_json_kv_string(&j, "kind", rel_project_kind_name(p->kind));
    rel_json_kv_string(&j, "env", p->env);
    rel_json_kv_string(&j, "otp_root", p->otp_root);
    rel_json_kv_string(&j, "otp_release", p->otp_release);
    rel_json_kv_string(&j, "erts_version", p->erts_version);
    rel_json_kv_string(&j, "elixir_version", p->elixir_version);
    rel_json_object_end(&j);
    rel_json_kv_string(&j, "default_release", cfg->default_release);
    rel_json_key(&j, "releases");
    rel_json_array_begin(&j);
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        char *path = rel_project_release_path(p, r);
        rel_json_object_begin(&j);
        rel_json_kv_string(&j, "name", r->name);
        rel_json_kv_string(&j, "key", r->key);
        char *vsn = release_version(p, r);
        rel_json_kv_string(&j, "version", vsn);
        free(vsn);
        rel_json_kv_bool(&j, "default", is_default(cfg, r));
        rel_json_kv_string(&j, "path", path);
        rel_json_key(&j, "applications");
        rel_json_object_begin(&j);
        for (size_t k = 0; k < r->napps; k++)
            rel_json_kv_string(&j, r->apps[k].name, rel_mode_name(r->apps[k].mode));
        rel_json_object_end(&j);
        rel_json_object_end(&j);
        free(path);
    }
    rel_json_array_end(&j);
    rel_json_object_end(&j);
    int rc = rel_json_finish(&j);
    if (rc == 0)
        fputs(rel_buf_cstr(&out), stdout);
    rel_buf_free(&out);
    return rc;
}

static void print_text(const struct rel_project *p)
{
    const struct rel_config *cfg = p->config;
    printf("%s project%s%s%s in %s\n", rel_project_kind_name(p->kind), p->env ? " (env " : "",
           p->env ? p->env : "", p->env ? ")" : "", p->root);
    if (!cfg->nreleases) {
        printf("no releases: add one under 'releases:' in %s\n", cfg->file);
        return;
    }
    size_t wn = 4, wv = 7;
    for (size_t i = 0; i < cfg->nreleases; i++) {
        char *v = release_version(p, &cfg->releases[i]);
        char sn[300];
        shown_name(sn, sizeof(sn), &cfg->releases[i]);
        if (strlen(sn) + 2 > wn)
            wn = strlen(sn) + 2;
        if (v && strlen(v) > wv)
            wv = strlen(v);
        free(v);
    }
    printf("\n%-*s  %-*s  %-30s  %s\n", (int)wn, "NAME", (int)wv, "VERSION", "APPLICATIONS",
           "PATH");
    for (size_t i = 0; i < cfg->nreleases; i++) {
        const struct rel_config_release *r = &cfg->releases[i];
        char name[320], sn[300];
        shown_name(sn, sizeof(sn), r);
        snprintf(name, sizeof(name), "%s%s", sn, is_default(cfg, r) ? " *" : "");
        char *v = release_version(p, r);
        struct rel_buf apps = REL_BUF_INIT;
        for (size_t k = 0; k < r->napps; k++)
            rel_buf_printf(&apps, "%s%s", k ? ", " : "", r->apps[k].name);
        if (!r->napps && cfg->app)
            rel_buf_puts(&apps, cfg->app);
        char *path = rel_project_release_path(p, r);
        printf("%-*s  %-*s  %-30s  %s\n", (int)wn, name, (int)wv, v ? v : "?",
               apps.len ? rel_buf_cstr(&apps) : "-", short_path(p, path));
        free(path);
        free(v);
        rel_buf_free(&apps);
    }
    if (cfg->default_release || cfg->nreleases == 1)
        printf("\n* default release\n");
}

int cmd_releases(int argc, char **argv)
{
    /* --remote TARGET: what is installed on a target (cli/node.c) */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--remote") == 0 || strncmp(argv[i], "--remote=", 9) == 0)
            return cmd_releases_remote(argc, argv);
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"ssh-config", required_argument, NULL, 's'},
        {"verbose", no_argument, NULL, 'v'},
        {"yes", no_argument, NULL, 'y'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int c;
    while ((c = cli_getopt(argc, argv, "vy", longopts)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 's':
        case 'v':
        case 'y': /* the remote options (cmd_releases_remote) */
            return cli_usage_error("releases",
                                   "--ssh-config, -v and -y work with --remote TARGET only");
        default:
            return CLI_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error("releases", "unexpected argument '%s'", argv[optind]);
    struct rel_project *p = NULL;
    if (rel_project_open(&p, ".", REL_PROJECT_NEED_CONFIG) < 0)
        return cli_core_error();
    int rc = CLI_OK;
    if (json) {
        if (print_json(p) < 0)
            rc = cli_core_error();
    } else {
        print_text(p);
    }
    rel_project_free(p);
    return rc;
}
