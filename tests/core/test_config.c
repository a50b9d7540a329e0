/* Unit tests for core/config (relman.yml) and core/json. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct rel_config *parse_ok(const char *text)
{
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, strlen(text), "relman.yml", "/proj");
    if (rc < 0)
        fail_msg("unexpected error: %s", rel_error_message());
    return cfg;
}

/* Parse `text`, expect failure, and return the message. */
static const char *parse_err(const char *text)
{
    struct rel_config *cfg = NULL;
    int rc = rel_config_parse(&cfg, text, strlen(text), "relman.yml", "/proj");
    assert_true(rc < 0);
    assert_null(cfg);
    return rel_error_message();
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("'%s' does not contain '%s'", (hay), (needle));                               \
    } while (0)

static const char *full_yaml =
    "# relman configuration\n"
    "project:\n"
    "  kind: mix\n"
    "  env: prod\n"
    "lib_dirs: [vendor/lib, /opt/lib]\n"
    "default_release: foo\n"
    "releases:\n"
    "  foo:\n"
    "    version: \"0.0.1\"\n"
    "    applications: {kv_server: permanent, kv: temporary}\n"
    "    include_erts: false\n"
    "    include_executables_for: [unix]\n"
    "    strip_beams: {keep: [Docs], compress: true}\n"
    "    path: out/foo\n"
    "    steps: [assemble, tar, {run: echo done}]\n"
    "    skip_mode_validation_for: [kv_server]\n"
    "    runtime_config_path: false\n"
    "  bar:\n"
    "    version: {from_app: kv}\n"
    "    applications:\n"
    "      kv: permanent\n"
    "    include_erts: /opt/erlang/erts-13.1.5\n"
    "targets:\n"
    "  web1: {host: web1.example, user: deploy, port: 2222, path: /opt/kv, release: foo,\n"
    "         env: {PORT: \"4040\", RELEASE_DISTRIBUTION: name}}\n"
    "  web2:\n"
    "    host: web2\n"
    "    path: /opt/kv\n"
    "    ssh: {host_key_policy: strict}\n"
    "groups: {web: [web1, web2]}\n"
    "deploy: {keep: 3, batch: 2, health: {tcp: 4040, timeout: 10}}\n"
    "ssh: {config: /etc/relman/ssh_config, known_hosts: /tmp/kh, host_key_policy: ask}\n";

static void test_full_config(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok(full_yaml);
    assert_true(cfg->has_kind);
    assert_int_equal(cfg->kind, REL_PROJECT_MIX);
    assert_string_equal(cfg->env, "prod");
    assert_int_equal(cfg->lib_dirs.count, 2);
    assert_string_equal(cfg->lib_dirs.items[0], "vendor/lib");
    assert_string_equal(cfg->default_release, "foo");
    assert_int_equal(cfg->nreleases, 2);

    const struct rel_config_release *foo = rel_config_find_release(cfg, "foo");
    assert_non_null(foo);
    assert_string_equal(foo->version, "0.0.1");
    assert_int_equal(foo->napps, 2);
    assert_string_equal(foo->apps[0].name, "kv_server");
    assert_int_equal(foo->apps[0].mode, REL_MODE_PERMANENT);
    assert_string_equal(foo->apps[1].name, "kv");
    assert_int_equal(foo->apps[1].mode, REL_MODE_TEMPORARY);
    assert_int_equal(foo->apps[1].pos.line, 10);
    assert_int_equal(foo->include_erts, REL_ERTS_EXCLUDE);
    assert_true(foo->exec_unix);
    assert_false(foo->exec_windows);
    assert_true(foo->strip_beams);
    assert_true(foo->strip_compress);
    assert_int_equal(foo->strip_keep.count, 1);
    assert_string_equal(foo->strip_keep.items[0], "Docs");
    assert_string_equal(foo->path, "out/foo");
    assert_int_equal(foo->nsteps, 3);
    assert_int_equal(foo->steps[1].kind, REL_STEP_TAR);
    assert_int_equal(foo->steps[2].kind, REL_STEP_RUN);
    assert_string_equal(foo->steps[2].command, "echo done");
    assert_true(foo->runtime_config_disabled);
    assert_null(foo->runtime_config_path);
    assert_int_equal(foo->skip_mode_validation_for.count, 1);

    const struct rel_config_release *bar = rel_config_find_release(cfg, "bar");
    assert_null(bar->version);
    assert_string_equal(bar->version_from_app, "kv");
    assert_int_equal(bar->include_erts, REL_ERTS_PATH);
    assert_string_equal(bar->erts_path, "/opt/erlang/erts-13.1.5");
    /* defaults from the table */
    assert_true(bar->exec_unix);
    assert_true(bar->exec_windows);
    assert_true(bar->strip_beams);
    assert_false(bar->strip_compress);
    assert_string_equal(bar->rel_templates_path, "rel");
    assert_int_equal(bar->nsteps, 1);
    assert_int_equal(bar->steps[0].kind, REL_STEP_ASSEMBLE);
    assert_true(bar->validate_compile_env);
    assert_false(bar->reboot_system_after_config);
    assert_null(bar->cookie);

    const struct rel_config_target *w1 = rel_config_find_target(cfg, "web1");
    assert_string_equal(w1->host, "web1.example");
    assert_string_equal(w1->user, "deploy");
    assert_int_equal(w1->port, 2222);
    assert_string_equal(w1->release, "foo");
    assert_int_equal(w1->nenv, 2);
    assert_string_equal(w1->env_names[0], "PORT");
    assert_string_equal(w1->env_values[0], "4040");
    /* inherited from the top-level ssh section */
    assert_string_equal(w1->ssh.config, "/etc/relman/ssh_config");
    assert_int_equal(w1->ssh.host_key_policy, REL_HOSTKEY_ASK);
    const struct rel_config_target *w2 = rel_config_find_target(cfg, "web2");
    assert_int_equal(w2->port, 0);
    assert_int_equal(w2->ssh.host_key_policy, REL_HOSTKEY_STRICT);
    assert_string_equal(w2->ssh.known_hosts, "/tmp/kh");
    const struct rel_config_group *g = rel_config_find_group(cfg, "web");
    assert_int_equal(g->targets.count, 2);
    assert_int_equal(cfg->deploy.keep, 3);
    assert_int_equal(cfg->deploy.batch, 2);
    assert_int_equal(cfg->deploy.health_tcp, 4040);
    assert_int_equal(cfg->deploy.health_timeout, 10);

    char *p = rel_config_abspath(cfg, "vendor/lib");
    assert_string_equal(p, "/proj/vendor/lib");
    free(p);
    rel_config_free(cfg);
}

/* deploy.health with a target's own keys over it; values that would reach a
 * shell on the host refused with file:line:col and the reason. */
static void test_health_and_shell_refusals(void **state)
{
    (void)state;
    struct rel_config *cfg =
        parse_ok("targets:\n"
                 "  a: {host: h, path: /srv/a}\n"
                 "  b: {host: h, path: /srv/b, health: {tcp: 5000, apps: false, http: {path: /ok}}}\n"
                 "deploy:\n"
                 "  health: {tcp: 4040, settle: 2, rpc: 'x()', http: {port: 8080, body: fine}}\n");
    const struct rel_config_health *d = &cfg->deploy.health;
    assert_int_equal(d->tcp, 4040);
    assert_int_equal(d->timeout, 30);
    assert_int_equal(d->settle, 2);
    assert_true(d->apps);
    assert_string_equal(d->rpc, "x()");
    assert_int_equal(d->http_port, 8080);
    assert_string_equal(d->http_path, "/");
    assert_int_equal(d->http_status, 200);
    assert_string_equal(d->http_body, "fine");
    const struct rel_config_health *a = &rel_config_find_target(cfg, "a")->health;
    assert_int_equal(a->tcp, 4040);
    assert_true(a->apps);
    assert_int_equal(a->http_port, 8080);
    assert_string_equal(a->http_path, "/");
    const struct rel_config_health *b = &rel_config_find_target(cfg, "b")->health;
    assert_int_equal(b->tcp, 5000);
    assert_false(b->apps);
    assert_int_equal(b->settle, 2);
    assert_string_equal(b->rpc, "x()");
    assert_int_equal(b->http_port, 8080);
    assert_string_equal(b->http_path, "/ok");
    assert_string_equal(b->http_body, "fine");
    rel_config_free(cfg);

    assert_contains(parse_err("targets:\n  a: {host: h, path: \"/srv/$(id)\"}\n"),
                    "relman.yml:2:22: targets.a.path: '/srv/$(id)' holds '$', which a shell on "
                    "the host would expand or unquote");
    assert_contains(parse_err("targets:\n  a: {host: h, path: /srv/a, env: {X: \"a`b\"}}\n"),
                    "targets.a.env.X: 'a`b' holds '`'");
    assert_contains(parse_err("targets:\n  a: {host: h, path: '/srv/\"a'}\n"), "holds '\"'");
    assert_contains(parse_err("targets:\n  a: {host: h, path: '/srv/a\\b'}\n"), "holds '\\'");
    assert_contains(parse_err("releases:\n  foo: {version: \"1.$x\"}\n"),
                    "releases.foo.version: '1.$x' holds '$'");
}

static void test_defaults_of_empty_file(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok("");
    assert_false(cfg->has_kind);
    assert_int_equal(cfg->nreleases, 0);
    assert_int_equal(cfg->deploy.keep, 5);
    assert_int_equal(cfg->deploy.batch, 1);
    assert_int_equal(cfg->deploy.health_timeout, 30);
    assert_int_equal(cfg->ssh.host_key_policy, REL_HOSTKEY_ACCEPT_NEW);
    const struct rel_config_release *r;
    assert_int_equal(rel_config_pick_release(&r, cfg, NULL), REL_ENOTFOUND);
    rel_config_free(cfg);

    cfg = parse_ok("# only a comment\nreleases:\n  solo:\n");
    assert_int_equal(rel_config_pick_release(&r, cfg, NULL), 0);
    assert_string_equal(r->name, "solo");
    assert_int_equal(r->napps, 0);
    rel_config_free(cfg);
}

/* Mix's runtime pieces: config_path, config providers of the three forms,
 * function steps of mix.exs, whether reboot_system_after_config is written. */
static void test_mix_runtime_keys(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok("project: {kind: mix, config_path: cfg/main.exs}\n"
                                      "releases:\n"
                                      "  a:\n"
                                      "    config_providers:\n"
                                      "      - reader: /etc/a.exs\n"
                                      "      - reader: {system: RELEASE_ROOT, path: /x.exs}\n"
                                      "      - mix: 3\n"
                                      "    steps: [{mix: 1}, assemble, {run: echo hi}, tar]\n"
                                      "    reboot_system_after_config: false\n"
                                      "  b: {}\n");
    assert_string_equal(cfg->config_path, "cfg/main.exs");
    const struct rel_config_release *a = &cfg->releases[0];
    assert_int_equal(a->nproviders, 3);
    assert_int_equal(a->providers[0].kind, REL_PROVIDER_READER);
    assert_string_equal(a->providers[0].path, "/etc/a.exs");
    assert_int_equal(a->providers[1].kind, REL_PROVIDER_READER_SYSTEM);
    assert_string_equal(a->providers[1].var, "RELEASE_ROOT");
    assert_string_equal(a->providers[1].path, "/x.exs");
    assert_int_equal(a->providers[2].kind, REL_PROVIDER_MIX);
    assert_int_equal(a->providers[2].mix, 3);
    assert_int_equal(a->nsteps, 4);
    assert_int_equal(a->steps[0].kind, REL_STEP_MIX);
    assert_int_equal(a->steps[0].mix_step, 1);
    assert_int_equal(a->steps[2].kind, REL_STEP_RUN);
    assert_true(a->reboot_system_after_config_set);
    assert_false(cfg->releases[1].reboot_system_after_config_set);
    rel_config_free(cfg);
    assert_contains(parse_err("releases:\n  a:\n    config_providers: [{reader: rel/a.exs}]\n"),
                    "needs an absolute path");
    assert_contains(parse_err("releases:\n  a:\n    steps: [assemble, {mix: 0}]\n"), "mix");
    assert_contains(parse_err("releases:\n  a:\n    steps: [assemble, {}]\n"),
                    "needs 'run' (a command) or 'mix'");
}

/* Every release gets the defaults of its unset keys, however many
 * releases the file has (the defaults' store once held only 64). */
static void test_defaults_of_many_releases(void **state)
{
    (void)state;
    char text[4096] = "releases:\n";
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "  r%d: {version: \"1\"}\n", i);
    struct rel_config *cfg = parse_ok(text);
    assert_int_equal(cfg->nreleases, 40);
    for (size_t i = 0; i < cfg->nreleases; i++) {
        assert_int_equal(cfg->releases[i].nsteps, 1);
        assert_true(cfg->releases[i].strip_beams);
    }
    rel_config_free(cfg);
}

static void test_pick_release(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok("releases: {foo: {}, bar: {}}\n");
    const struct rel_config_release *r;
    assert_int_equal(rel_config_pick_release(&r, cfg, NULL), REL_EUSAGE);
    assert_contains(rel_error_message(), "foo, bar");
    assert_int_equal(rel_config_pick_release(&r, cfg, "bar"), 0);
    assert_string_equal(r->name, "bar");
    assert_int_equal(rel_config_pick_release(&r, cfg, "baz"), REL_ENOTFOUND);
    assert_contains(rel_error_message(), "no release 'baz'");
    rel_config_free(cfg);
}

/* releases.NAME.start_script: the dialect, hooks in order (a repeat kept),
 * the status hook and extensions; wrong shapes are refused with the line. */
static void test_start_script(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok("releases:\n"
                                      "  r:\n"
                                      "    start_script:\n"
                                      "      dialect: relx\n"
                                      "      hooks:\n"
                                      "        pre_start: [hooks/a, \"hooks/b x y\", hooks/a]\n"
                                      "        post_start: [wait_for_vm_start]\n"
                                      "        status: builtin_status\n"
                                      "      extensions: {hello: ext/hello, bye: ext/bye}\n");
    const struct rel_config_start_script *ss = &cfg->releases[0].start_script;
    assert_string_equal(ss->dialect, "relx");
    assert_int_equal(ss->hooks[REL_HOOK_PRE_START].count, 3);
    assert_string_equal(ss->hooks[REL_HOOK_PRE_START].items[1], "hooks/b x y");
    assert_int_equal(ss->hooks[REL_HOOK_PRE_START].pos[1].line, 6);
    assert_int_equal(ss->hooks[REL_HOOK_POST_START].count, 1);
    assert_int_equal(ss->hooks[REL_HOOK_PRE_STOP].count, 0);
    assert_string_equal(ss->status_hook, "builtin_status");
    assert_int_equal(ss->ext_names.count, 2);
    assert_string_equal(ss->ext_names.items[1], "bye");
    assert_string_equal(ss->ext_scripts.items[1], "ext/bye");
    rel_config_free(cfg);
    cfg = parse_ok("releases:\n  r: {}\n");
    assert_null(cfg->releases[0].start_script.dialect);
    rel_config_free(cfg);
    assert_contains(parse_err("releases:\n  r:\n    start_script: {dialect: rebar}\n"),
                    "relman.yml:3:");
    assert_contains(parse_err("releases:\n  r:\n    start_script: {hooks: {pre_boot: [x]}}\n"),
                    "pre_boot");
    assert_contains(
        parse_err("releases:\n  r:\n    start_script: {extensions: {Bad-Name: x}}\n"),
        "Bad-Name");
}

static void test_mode_typo(void **state)
{
    (void)state;
    const char *msg = parse_err("releases:\n  foo:\n    applications:\n"
                                "      kv: permanant\n");
    assert_string_equal(msg, "relman.yml:4:11: releases.foo.applications.kv: unknown mode "
                             "'permanant' (expected permanent, transient, temporary, load or "
                             "none; did you mean 'permanent'?)");
}

static void test_unknown_key(void **state)
{
    (void)state;
    const char *msg = parse_err("releases:\n  foo:\n    version: \"1\"\n    aplications: {}\n");
    assert_contains(msg, "relman.yml:4:5: unknown key 'aplications' in releases.foo");
    assert_contains(msg, "did you mean 'applications'?");
    msg = parse_err("relases: {}\n");
    assert_contains(msg, "relman.yml:1:1: unknown key 'relases' at the top level");
    assert_contains(msg, "did you mean 'releases'?");
    msg = parse_err("targets: {a: {host: h, path: /p, colour: red}}\n");
    assert_contains(msg, "relman.yml:1:34: unknown key 'colour' in targets.a");
}

static void test_wrong_types_and_values(void **state)
{
    (void)state;
    assert_contains(parse_err("targets:\n  a: {host: h, path: /p, port: abc}\n"),
                    "relman.yml:2:32: targets.a.port: 'abc' is not an integer");
    assert_contains(parse_err("targets:\n  a: {host: h, path: /p, port: 70000}\n"),
                    "targets.a.port: 70000 is out of range (1 to 65535)");
    assert_contains(parse_err("ssh: {host_key_policy: maybe}\n"),
                    "relman.yml:1:24: ssh.host_key_policy: unknown value 'maybe' (expected "
                    "strict, accept-new or ask)");
    assert_contains(parse_err("releases: {foo: {include_erts: [1]}}\n"),
                    "releases.foo.include_erts: expected true or false or a path, not a list");
    assert_contains(parse_err("releases: {foo: {strip_beams: maybe}}\n"),
                    "releases.foo.strip_beams: expected true or false or a mapping, not 'maybe'");
    assert_contains(parse_err("releases: {foo: {version: true}}\n"),
                    "releases.foo.version: expected a mapping or a string, not true");
    assert_contains(parse_err("releases: {foo: {applications: [kv]}}\n"),
                    "releases.foo.applications: expected a mapping, not a list");
    assert_contains(parse_err("releases: {Foo: {}}\n"),
                    "relman.yml:1:12: releases: 'Foo' is not a release name");
    assert_contains(parse_err("releases: {foo: {applications: {Kv: load}}}\n"),
                    "'Kv' is not an application name");
    assert_contains(parse_err("lib_dirs: /usr/lib\n"), "lib_dirs: expected a list, not '/usr/lib'");
    assert_contains(parse_err("releases: {foo: {cookie: }}\n"),
                    "releases.foo.cookie: missing value");
    assert_contains(parse_err("- a\n- b\n"), "relman.yml:1:1: relman.yml must be a mapping");
    assert_contains(parse_err("project: {kind: maven}\n"),
                    "project.kind: unknown value 'maven' (expected mix, rebar3 or plain)");
    assert_contains(parse_err("targets: {a: {host: h, path: /p, env: {1X: y}}}\n"),
                    "'1X' is not an environment variable name");
}

static void test_required_and_references(void **state)
{
    (void)state;
    assert_contains(parse_err("targets:\n  web1: {path: /opt}\n"),
                    "relman.yml:2:9: targets.web1: missing required key 'host'");
    assert_contains(parse_err("default_release: baz\nreleases: {foo: {}}\n"),
                    "relman.yml:1:18: default_release: there is no release 'baz'");
    assert_contains(parse_err("targets: {a: {host: h, path: /p}}\ngroups: {g: [a, b]}\n"),
                    "relman.yml:2:17: groups.g: there is no target 'b'");
    assert_contains(parse_err("targets: {a: {host: h, path: /p}}\ngroups: {a: [a]}\n"),
                    "groups.a: 'a' is already a target name");
    assert_contains(parse_err("releases: {foo: {}}\ntargets: {a: {host: h, path: /p, "
                              "release: bar}}\n"),
                    "targets.a.release: there is no release 'bar'");
    assert_contains(parse_err("releases: {foo: {steps: [tar, assemble]}}\n"),
                    "releases.foo.steps: 'tar' must come after 'assemble'");
    assert_contains(parse_err("releases: {foo: {steps: [assemble, assemble]}}\n"),
                    "'assemble' must appear once");
    assert_contains(parse_err("releases: {foo: {steps: [tar]}}\n"), "must come after");
    assert_contains(parse_err("releases: {foo: {steps: [{run: }, assemble]}}\n"), "missing value");
    assert_contains(parse_err("releases: {foo: {version: \"\"}}\n"), "must not be empty");
    /* values that end up in file names and files: checked here, with the line */
    assert_contains(parse_err("releases:\n  foo: {version: \"../x\"}\n"),
                    "relman.yml:2:18: releases.foo.version: '../x' cannot name a directory");
    assert_contains(parse_err("releases: {foo: {version: ..}}\n"), "cannot name a directory");
    assert_contains(parse_err("releases:\n  foo: {cookie: \"a\\tb\"}\n"),
                    "relman.yml:2:17: releases.foo.cookie: may only hold printable ASCII");
    assert_contains(parse_err("releases: {foo: {cookie: \"caf\u00e9\"}}\n"), "printable ASCII");
    assert_contains(parse_err("releases:\n  foo: {include_erts: maybe}\n"),
                    "relman.yml:2:23: releases.foo.include_erts: 'maybe' is neither true, false nor");
    assert_contains(parse_err("releases: {foo: {include_erts: /x/erts-/}}\n"), "erts-VSN");
}

static void test_yaml_problems(void **state)
{
    (void)state;
    assert_contains(parse_err("releases:\n  foo: [\n"), "relman.yml:3:1:");
    assert_contains(parse_err("a: &x {b: 1}\nc: *x\n"), "relman.yml:2:4: YAML aliases");
    assert_contains(parse_err("releases: {}\n---\nreleases: {}\n"),
                    "relman.yml:2:1: only one YAML document");
    assert_contains(parse_err("releases: {}\nreleases: {}\n"),
                    "relman.yml:2:1: 'releases' appears twice (first at line 1)");
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = '\0';
    assert_contains(parse_err(deep), "nested deeper than");
}

static void test_duplicate_application_is_noted(void **state)
{
    (void)state;
    struct rel_config *cfg = parse_ok("releases:\n  foo:\n    applications:\n"
                                      "      kv: permanent\n      kv_server: permanent\n"
                                      "      kv: load\n");
    const struct rel_config_release *r = rel_config_find_release(cfg, "foo");
    assert_int_equal(r->napps, 2);
    assert_int_equal(r->apps[0].mode, REL_MODE_PERMANENT);
    assert_int_equal(r->nnotes, 1);
    assert_contains(r->notes[0].message, "relman.yml:6:7: 'kv' is listed twice");
    assert_contains(r->notes[0].message, "line 4");
    rel_config_free(cfg);
}

/* ---- surgical edits ---- */

static char *edit(const char *text, const char *rel, const char *app, const char *mode)
{
    struct rel_buf out = REL_BUF_INIT;
    int rc = rel_config_edit_app_mode(&out, text, strlen(text), "relman.yml", rel, app, mode);
    if (rc < 0)
        fail_msg("edit failed: %s", rel_error_message());
    return rel_buf_detach(&out);
}

/* Number of lines that differ between a and b, assuming the same line count
 * (or, with `added`, b having that many extra lines). */
static int changed_lines(const char *a, const char *b)
{
    int diff = 0;
    while (*a || *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0)
            diff++;
        a += la + (ea != NULL);
        b += lb + (eb != NULL);
    }
    return diff;
}

static const char *edit_yaml = "# top comment\n"
                               "project: {kind: mix}   # the kind\n"
                               "releases:\n"
                               "  foo:\n"
                               "    version: \"0.0.1\"   # keep me\n"
                               "    applications:\n"
                               "      kv_server: permanent  # the front end\n"
                               "      # the storage\n"
                               "      kv: permanent\n"
                               "    include_erts: true\n"
                               "\n"
                               "  bar:\n"
                               "    applications: {kv: permanent, kv_server: load}\n"
                               "  baz:\n"
                               "    version: \"1\"\n"
                               "    steps:\n"
                               "      - assemble\n"
                               "  qux:\n"
                               "targets: {}\n";

static void test_edit_changes_one_line(void **state)
{
    (void)state;
    char *out = edit(edit_yaml, "foo", "kv", "load");
    assert_int_equal(changed_lines(edit_yaml, out), 1);
    assert_contains(out, "      # the storage\n      kv: load\n    include_erts: true\n");
    assert_contains(out, "kv_server: permanent  # the front end\n");
    free(out);

    out = edit(edit_yaml, "foo", "kv_server", "transient");
    assert_int_equal(changed_lines(edit_yaml, out), 1);
    assert_contains(out, "      kv_server: transient  # the front end\n");
    free(out);

    /* flow mapping: only the value changes */
    out = edit(edit_yaml, "bar", "kv_server", "temporary");
    assert_int_equal(changed_lines(edit_yaml, out), 1);
    assert_contains(out, "    applications: {kv: permanent, kv_server: temporary}\n");
    free(out);

    /* same mode: nothing changes */
    out = edit(edit_yaml, "foo", "kv", "permanent");
    assert_string_equal(out, edit_yaml);
    free(out);
}

static char *edit_key(const char *text, const char *rel, const char *key, const char *value)
{
    struct rel_buf out = REL_BUF_INIT;
    int rc = rel_config_edit_release_key(&out, text, strlen(text), "relman.yml", rel, key, value);
    if (rc < 0)
        fail_msg("edit failed: %s", rel_error_message());
    return rel_buf_detach(&out);
}

static void test_edit_release_key(void **state)
{
    (void)state;
    /* an existing scalar: only its text changes, the comment stays */
    char *out = edit_key(edit_yaml, "foo", "version", "\"0.2.0\"");
    assert_int_equal(changed_lines(edit_yaml, out), 1);
    assert_contains(out, "    version: \"0.2.0\"   # keep me\n");
    free(out);
    out = edit_key(edit_yaml, "foo", "include_erts", "false");
    assert_int_equal(changed_lines(edit_yaml, out), 1);
    assert_contains(out, "    include_erts: false\n\n  bar:\n");
    free(out);
    /* a new key in a block mapping goes after the last one */
    out = edit_key(edit_yaml, "baz", "cookie", "\"SECRET\"");
    assert_contains(out, "    steps:\n      - assemble\n    cookie: \"SECRET\"\n  qux:\n");
    free(out);
    /* in a flow mapping, and into an empty release */
    out = edit_key(edit_yaml, "bar", "include_erts", "true");
    assert_contains(out, "    applications: {kv: permanent, kv_server: load}\n"
                         "    include_erts: true\n");
    free(out);
    out = edit_key("releases:\n  foo: {version: \"1\"}\n", "foo", "include_erts", "false");
    assert_string_equal(out, "releases:\n  foo: {version: \"1\", include_erts: false}\n");
    free(out);
    out = edit_key(edit_yaml, "qux", "version", "\"3\"");
    assert_contains(out, "  qux: {version: \"3\"}\ntargets: {}\n");
    free(out);
    /* removing: the line goes; absent: nothing changes */
    out = edit_key(edit_yaml, "foo", "include_erts", NULL);
    assert_contains(out, "      kv: permanent\n\n  bar:\n");
    free(out);
    out = edit_key(edit_yaml, "foo", "cookie", NULL);
    assert_string_equal(out, edit_yaml);
    free(out);
    /* refused: a key that takes no scalar, a mapping value, a bad value, no release */
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_config_edit_release_key(&b, edit_yaml, strlen(edit_yaml), "relman.yml",
                                                 "foo", "applications", "x"),
                     REL_EINVAL);
    assert_int_equal(rel_config_edit_release_key(&b, edit_yaml, strlen(edit_yaml), "relman.yml",
                                                 "foo", "nonsense", "x"),
                     REL_EINVAL);
    assert_int_equal(rel_config_edit_release_key(&b, edit_yaml, strlen(edit_yaml), "relman.yml",
                                                 "foo", "include_erts", "maybe: [x"),
                     REL_EINVAL);
    assert_int_equal(rel_config_edit_release_key(&b, edit_yaml, strlen(edit_yaml), "relman.yml",
                                                 "nope", "version", "\"1\""),
                     REL_ENOTFOUND);
    assert_int_equal(b.len, 0);
    /* a value the schema refuses: the result would be invalid */
    assert_true(rel_config_edit_release_key(&b, edit_yaml, strlen(edit_yaml), "relman.yml", "foo",
                                            "steps", "bogus") < 0);
    assert_int_equal(b.len, 0);
    rel_buf_free(&b);
}

static void test_edit_rename_release(void **state)
{
    (void)state;
    const char *text = "default_release: foo\n"
                       "releases:\n"
                       "  foo:   # the main one\n"
                       "    version: \"1\"\n"
                       "  bar: {version: \"2\"}\n"
                       "targets:\n"
                       "  web1: {host: a, path: /opt/x, release: foo}\n"
                       "  web2: {host: b, path: /opt/y, release: bar}\n";
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(
        rel_config_edit_rename_release(&b, text, strlen(text), "relman.yml", "foo", "shop"), 0);
    assert_string_equal(rel_buf_cstr(&b), "default_release: shop\n"
                                          "releases:\n"
                                          "  shop:   # the main one\n"
                                          "    version: \"1\"\n"
                                          "  bar: {version: \"2\"}\n"
                                          "targets:\n"
                                          "  web1: {host: a, path: /opt/x, release: shop}\n"
                                          "  web2: {host: b, path: /opt/y, release: bar}\n");
    rel_buf_clear(&b);
    assert_int_equal(
        rel_config_edit_rename_release(&b, text, strlen(text), "relman.yml", "foo", "bar"),
        REL_EEXISTS);
    assert_int_equal(
        rel_config_edit_rename_release(&b, text, strlen(text), "relman.yml", "foo", "Shop"),
        REL_EINVAL);
    assert_int_equal(
        rel_config_edit_rename_release(&b, text, strlen(text), "relman.yml", "nope", "x"),
        REL_ENOTFOUND);
    assert_int_equal(b.len, 0);
    rel_buf_free(&b);
}

static void test_edit_adds_and_removes(void **state)
{
    (void)state;
    /* a new entry in a block mapping: one added line, same indentation */
    char *out = edit(edit_yaml, "foo", "sasl", "load");
    assert_contains(out, "      kv: permanent\n      sasl: load\n    include_erts: true\n");
    assert_int_equal(strlen(out), strlen(edit_yaml) + strlen("      sasl: load\n"));
    free(out);

    /* flow mapping */
    out = edit(edit_yaml, "bar", "logger", "none");
    assert_contains(out, "    applications: {kv: permanent, kv_server: load, logger: none}\n");
    free(out);

    /* no applications key: added under the release */
    out = edit(edit_yaml, "baz", "kv", "temporary");
    assert_contains(out, "    steps:\n      - assemble\n    applications:\n      kv: temporary\n"
                         "  qux:\n");
    free(out);

    /* an empty release */
    out = edit(edit_yaml, "qux", "kv", "load");
    assert_contains(out, "  qux: {applications: {kv: load}}\ntargets: {}\n");
    free(out);

    /* removal: the line goes, its neighbours and comments stay */
    out = edit(edit_yaml, "foo", "kv", NULL);
    assert_contains(out, "      # the storage\n    include_erts: true\n");
    free(out);
    out = edit(edit_yaml, "bar", "kv", NULL);
    assert_contains(out, "    applications: {kv_server: load}\n");
    free(out);
    out = edit(edit_yaml, "bar", "kv_server", NULL);
    assert_contains(out, "    applications: {kv: permanent}\n");
    free(out);
    /* removing what is not there changes nothing */
    out = edit(edit_yaml, "baz", "kv", NULL);
    assert_string_equal(out, edit_yaml);
    free(out);

    /* every result parses and says what was asked */
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_config_edit_app_mode(&b, edit_yaml, strlen(edit_yaml), "relman.yml",
                                              "nope", "kv", "load"),
                     REL_ENOTFOUND);
    assert_int_equal(rel_config_edit_app_mode(&b, edit_yaml, strlen(edit_yaml), "relman.yml", "foo",
                                              "kv", "loud"),
                     REL_EINVAL);
    rel_buf_free(&b);
}

static void test_edit_utf8_and_crlf(void **state)
{
    (void)state;
    const char *text = "# été\nreleases:\n  foo:   # ünïcode comment\n"
                       "    applications: {kv: permanent}   # déjà\n";
    char *out = edit(text, "foo", "kv", "none");
    assert_string_equal(out, "# été\nreleases:\n  foo:   # ünïcode comment\n"
                             "    applications: {kv: none}   # déjà\n");
    free(out);
    const char *crlf = "releases:\r\n  foo:\r\n    applications:\r\n      kv: permanent\r\n";
    out = edit(crlf, "foo", "kv", "load");
    assert_string_equal(out, "releases:\r\n  foo:\r\n    applications:\r\n      kv: load\r\n");
    free(out);
}

static void test_set_app_mode_on_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/relman-test-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/relman.yml", dir);
    assert_int_equal(rel_fs_write_atomic(path, edit_yaml, strlen(edit_yaml), 0640), 0);
    assert_int_equal(rel_config_set_app_mode(path, "foo", "kv", "load"), 0);
    struct rel_buf b = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b, path, 1 << 20), 0);
    assert_int_equal(changed_lines(edit_yaml, b.ptr), 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* a bad edit leaves the file alone */
    assert_true(rel_config_set_app_mode(path, "foo", "Bad", "load") < 0);
    struct rel_buf b2 = REL_BUF_INIT;
    assert_int_equal(rel_fs_read_file(&b2, path, 1 << 20), 0);
    assert_string_equal(b.ptr, b2.ptr);
    rel_buf_free(&b);
    rel_buf_free(&b2);
    unlink(path);
    rmdir(dir);
}

/* ---- the reference in docs/config.md is the table's ---- */

#define BEGIN_MARK "<!-- BEGIN GENERATED REFERENCE (tests/core/test_config.c) -->\n"
#define END_MARK "<!-- END GENERATED REFERENCE -->\n"

static void test_docs_match_table(void **state)
{
    (void)state;
    const char *path = RELMAN_SOURCE_DIR "/docs/config.md";
    struct rel_buf doc = REL_BUF_INIT, gen = REL_BUF_INIT;
    assert_int_equal(rel_config_write_reference(&gen), 0);
    assert_int_equal(rel_fs_read_file(&doc, path, 1 << 20), 0);
    const char *b = strstr(doc.ptr, BEGIN_MARK), *e = strstr(doc.ptr, END_MARK);
    if (!b || !e || e < b)
        fail_msg("docs/config.md lacks the generated-reference markers");
    b += strlen(BEGIN_MARK);
    size_t have = (size_t)(e - b);
    const char *regen = getenv("RELMAN_REGEN_DOCS");
    if (regen && regen[0] == '1') {
        struct rel_buf out = REL_BUF_INIT;
        rel_buf_put(&out, doc.ptr, (size_t)(b - doc.ptr));
        rel_buf_put(&out, gen.ptr, gen.len);
        rel_buf_puts(&out, e);
        assert_int_equal(rel_fs_write_atomic(path, out.ptr, out.len, 0644), 0);
        rel_buf_free(&out);
    } else if (have != gen.len || memcmp(b, gen.ptr, have) != 0) {
        fail_msg("docs/config.md is out of date with the schema table in core/config_keys.c; run "
                 "RELMAN_REGEN_DOCS=1 build/core_test_config");
    }
    /* every key of the table is documented */
    for (size_t i = 0; i < rel_config_nkeys; i++)
        assert_non_null(rel_config_keys[i].help);
    rel_buf_free(&doc);
    rel_buf_free(&gen);
}

static void test_yaml_scalar(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    rel_config_yaml_scalar(&b, "kv_server", false);
    rel_buf_puts(&b, " ");
    rel_config_yaml_scalar(&b, "0.0.1", false);
    rel_buf_puts(&b, " ");
    rel_config_yaml_scalar(&b, "true", false);
    rel_buf_puts(&b, " ");
    rel_config_yaml_scalar(&b, "a \"b\"\n", false);
    rel_buf_puts(&b, " ");
    rel_config_yaml_scalar(&b, "x", true);
    rel_buf_puts(&b, " ");
    rel_config_yaml_scalar(&b, "config/sys.config", false);
    assert_string_equal(b.ptr, "kv_server \"0.0.1\" \"true\" \"a \\\"b\\\"\\n\" \"x\" "
                               "config/sys.config");
    rel_buf_free(&b);
}

/* ---- json ---- */

static void test_json_writer(void **state)
{
    (void)state;
    struct rel_buf b = REL_BUF_INIT;
    struct rel_json j;
    rel_json_init(&j, &b, false);
    rel_json_object_begin(&j);
    rel_json_kv_string(&j, "name", "a\"b\\c\n\x01");
    rel_json_kv_int(&j, "n", -3);
    rel_json_kv_bool(&j, "ok", true);
    rel_json_kv_string(&j, "none", NULL);
    rel_json_key(&j, "list");
    rel_json_array_begin(&j);
    rel_json_string(&j, "\xc3\xa9t\xc3\xa9");
    rel_json_string(&j, "bad\xff");
    rel_json_array_begin(&j);
    rel_json_array_end(&j);
    rel_json_object_begin(&j);
    rel_json_object_end(&j);
    rel_json_array_end(&j);
    rel_json_object_end(&j);
    assert_int_equal(rel_json_finish(&j), 0);
    assert_string_equal(b.ptr, "{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":-3,\"ok\":true,"
                               "\"none\":null,\"list\":[\"\xc3\xa9t\xc3\xa9\",\"bad\\ufffd\","
                               "[],{}]}\n");
    rel_buf_clear(&b);

    rel_json_init(&j, &b, true);
    rel_json_object_begin(&j);
    rel_json_kv_int(&j, "a", 1);
    rel_json_key(&j, "b");
    rel_json_array_begin(&j);
    rel_json_int(&j, 2);
    rel_json_array_end(&j);
    rel_json_object_end(&j);
    assert_int_equal(rel_json_finish(&j), 0);
    assert_string_equal(b.ptr, "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n");
    rel_buf_clear(&b);

    /* misuse is reported, not written */
    rel_json_init(&j, &b, false);
    rel_json_object_begin(&j);
    rel_json_int(&j, 1);
    assert_true(rel_json_finish(&j) < 0);
    rel_json_init(&j, &b, false);
    rel_json_array_begin(&j);
    assert_true(rel_json_finish(&j) < 0);
    rel_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),
        cmocka_unit_test(test_defaults_of_many_releases),
        cmocka_unit_test(test_defaults_of_empty_file),
        cmocka_unit_test(test_pick_release), cmocka_unit_test(test_start_script),
        cmocka_unit_test(test_mix_runtime_keys),
        cmocka_unit_test(test_mode_typo),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_types_and_values),
        cmocka_unit_test(test_required_and_references),
        cmocka_unit_test(test_yaml_problems),
        cmocka_unit_test(test_duplicate_application_is_noted),
        cmocka_unit_test(test_edit_changes_one_line),
        cmocka_unit_test(test_edit_adds_and_removes),
        cmocka_unit_test(test_edit_utf8_and_crlf),
        cmocka_unit_test(test_set_app_mode_on_file),
        cmocka_unit_test(test_edit_release_key),
        cmocka_unit_test(test_edit_rename_release),
        cmocka_unit_test(test_docs_match_table),
        cmocka_unit_test(test_health_and_shell_refusals),
        cmocka_unit_test(test_yaml_scalar),
        cmocka_unit_test(test_json_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
