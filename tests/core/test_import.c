/* Unit tests for core/import's choices (rel_import_apply) and its template
 * files: what the guided setup and `relman init --name ...` change; and the
 * relx import's reading of rebar.config (profiles merged as rebar3 merges
 * them, relx's option fold, refusals). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/data.h"
#include "core/error.h"
#include "core/config.h"
#include "core/import.h"
#include "core/semver.h"
#include "fixture.h"

#include <string.h>

static const char *two = "# two releases\n"
                         "default_release: foo\n"
                         "releases:\n"
                         "  foo:\n"
                         "    version: \"0.1.0\"  # the shop\n"
                         "    applications:\n"
                         "      kv: permanent\n"
                         "    cookie: \"OLD\"\n"
                         "  bar:\n"
                         "    applications: {kv: permanent}\n";

static int apply(struct rel_buf *out, const char *text, const struct rel_import_choice *c)
{
    rel_buf_clear(out);
    return rel_import_apply(out, text, strlen(text), c);
}

static void test_choices_on_one_release(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.release = "foo",
                                  .name = "shop",
                                  .version = "1.2.3",
                                  .erts = REL_IMPORT_ERTS_FALSE,
                                  .cookie = REL_IMPORT_COOKIE_GENERATED};
    assert_int_equal(apply(&out, two, &c), 0);
    assert_string_equal(rel_buf_cstr(&out), "# two releases\n"
                                            "default_release: shop\n"
                                            "releases:\n"
                                            "  shop:\n"
                                            "    version: \"1.2.3\"  # the shop\n"
                                            "    applications:\n"
                                            "      kv: permanent\n"
                                            "    include_erts: false\n"
                                            "  bar:\n"
                                            "    applications: {kv: permanent}\n");
    rel_buf_free(&out);
}

static void test_choices_on_every_release(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.erts = REL_IMPORT_ERTS_TRUE,
                                  .cookie = REL_IMPORT_COOKIE_CONFIGURED,
                                  .cookie_value = "S3CRET"};
    assert_int_equal(apply(&out, two, &c), 0);
    assert_non_null(strstr(rel_buf_cstr(&out), "    cookie: \"S3CRET\"\n    include_erts: true\n"));
    assert_non_null(strstr(rel_buf_cstr(&out), "  bar:\n    applications: {kv: permanent}\n"
                                               "    include_erts: true\n"
                                               "    cookie: \"S3CRET\"\n"));
    /* a random cookie when none is given: 64 base32 characters */
    struct rel_import_choice r = {.release = "bar", .cookie = REL_IMPORT_COOKIE_CONFIGURED};
    assert_int_equal(apply(&out, two, &r), 0);
    const char *k = strstr(rel_buf_cstr(&out), "cookie: \"");
    k = strstr(k + 1, "cookie: \""); /* bar's, after foo's OLD */
    assert_non_null(k);
    assert_int_equal(strcspn(k + 9, "\""), 64);
    rel_buf_free(&out);
}

static void test_bad_choices(void **state)
{
    (void)state;
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_choice c = {.name = "shop"};
    assert_int_equal(apply(&out, two, &c), REL_EUSAGE);
    assert_non_null(strstr(rel_error_message(), "(foo, bar)"));
    c = (struct rel_import_choice){.release = "nope", .version = "1"};
    assert_int_equal(apply(&out, two, &c), REL_ENOTFOUND);
    c = (struct rel_import_choice){.release = "foo", .name = "bar"};
    assert_int_equal(apply(&out, two, &c), REL_EEXISTS);
    c = (struct rel_import_choice){.release = "foo", .name = "Shop"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.version = "1 2"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.version = ".."};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.cookie = REL_IMPORT_COOKIE_CONFIGURED, .cookie_value = "a b"};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    c = (struct rel_import_choice){.cookie = REL_IMPORT_COOKIE_CONFIGURED, .cookie_value = ""};
    assert_int_equal(apply(&out, two, &c), REL_EINVAL);
    assert_int_equal(out.len, 0); /* nothing on failure */
    rel_buf_free(&out);
}

static void test_template_files_exist(void **state)
{
    (void)state;
    int n = 0;
    for (const char *const *f = rel_import_template_files; *f; f++, n++)
        assert_non_null(rel_data_get(*f, NULL));
    assert_int_equal(n, 4);
}

/* relman.yml text imported from REBAR_CONFIG under profile ENV; NULL and
 * the message in *err when the import fails. */
static char *import_rebar(const char *rebar_config, const char *env, char **err)
{
    char *d = fx_dir();
    fx_write(d, "rebar.config", rebar_config);
    fx_write(d, "src/app1.app.src", "{application, app1, [{vsn, \"1.0.0\"}]}.\n");
    struct rel_buf out = REL_BUF_INIT;
    struct rel_import_opts o = {.import = true, .env = env};
    int rc = rel_import_generate(&out, NULL, d, &o);
    *err = rc < 0 ? rel_strdup(rel_error_message()) : NULL;
    fx_done(d);
    if (rc < 0) {
        rel_buf_free(&out);
        return NULL;
    }
    return rel_buf_detach(&out);
}

#define assert_has(text, line)                                                                     \
    do {                                                                                           \
        if (!strstr((text), (line)))                                                               \
            fail_msg("the import lacks '%s':\n%s", (line), (text));                               \
    } while (0)

static void test_relx_forms(void **state)
{
    (void)state;
    char *err = NULL;
    char *y = import_rebar("{relx, [\n"
                           "  {release, {r, \"1.0.0\"}, [app1]},\n"
                           "  {release, {r, \"1.10.0\"}, [app1, {sasl, load}]},\n"
                           "  {release, {r, \"1.9.0\"}, [app1]},\n"
                           "  {release, {e, \"2.0\", {extend, {r, \"1.10.0\"}}}, [{sasl, none}]},\n"
                           "  {release, {v, {cmd, \"echo 1\"}}, {erts, \"13.1.5\"}, [{app1, \"1.0.0\", "
                           "temporary}]},\n"
                           "  {release, {g, {git, long}}, [app1], [{include_erts, true}, "
                           "{debug_info, strip}]},\n"
                           "  {release, {s, semver}, [app1]},\n"
                           "  {release, {i, \"1\"}, [{app1, \"1.0.0\", load, [x, z]}, {sasl, []}]},\n"
                           "  {exclude_apps, [x1]}, {include_src, false}, {system_libs, false}\n"
                           "]}.\n",
                           "default", &err);
    if (!y)
        fail_msg("%s", err);
    /* the highest version of r (relx orders 1.10 after 1.9) keeps the name */
    assert_has(y, "  r:\n    version: \"1.10.0\"\n");
    assert_has(y, "  r_1_0_0:\n    name: r\n    version: \"1.0.0\"\n");
    assert_has(y, "  r_1_9_0:\n    name: r\n");
    /* extend: the base's goals, the new goal replacing the base's sasl */
    assert_has(y, "  e:\n    version: \"2.0\"\n    applications:\n      app1: permanent\n"
                  "      sasl: none\n");
    assert_has(y, "    version: {cmd: \"echo 1\"}\n    applications:\n      app1: temporary\n"
                  "    app_versions:\n      app1: \"1.0.0\"\n    erts_version: \"13.1.5\"\n");
    assert_has(y, "    version: {git: long}\n");
    assert_has(y, "    version: {git: tag}\n");
    assert_has(y, "      app1: load\n      sasl: permanent\n    app_versions:\n"
                  "      app1: \"1.0.0\"\n    included_applications:\n      app1: [x, z]\n"
                  "      sasl: []\n");
    /* relx's defaults written out: no ERTS, debug info kept, src shipped,
     * no links; a release's own options over the top level's */
    assert_has(y, "    include_erts: true\n    strip_beams: true\n");
    assert_has(y, "    include_erts: false\n    strip_beams: false\n    include_src: false\n"
                  "    system_libs: false\n    exclude_apps: [x1]\n");
    assert_null(strstr(y, "dev_mode"));
    free(y);
}

/* include_erts naming an Erlang installation: its one erts-VSN directory;
 * {file, F} versions. */
static void test_relx_erts_root_and_file(void **state)
{
    (void)state;
    char *otp = fx_dir();
    fx_write(otp, "erts-99.1/bin/beam.smp", "");
    char cfg[1024], *err = NULL;
    snprintf(cfg, sizeof(cfg),
             "{relx, [{release, {r, {file, \"VERSION\"}}, [app1]}, {include_erts, \"%s\"}]}.\n",
             otp);
    char *y = import_rebar(cfg, "default", &err);
    if (!y)
        fail_msg("%s", err);
    char want[600];
    snprintf(want, sizeof(want), "    include_erts: %s/erts-99.1\n", otp);
    assert_has(y, want);
    assert_has(y, "    version: {cmd: \"cat VERSION\"}\n");
    free(y);
    fx_write(otp, "erts-99.2/bin/beam.smp", "");
    y = import_rebar(cfg, "default", &err);
    assert_null(y);
    assert_non_null(strstr(err, "more than one erts-VSN"));
    free(err);
    fx_done(otp);
}

static void test_relx_profiles(void **state)
{
    (void)state;
    const char *cfg = "{relx, [{release, {r, \"1\"}, [app1]}, {mode, dev}, {include_erts, true}]}.\n"
                      "{profiles, [{prod, [{relx, [{mode, prod}, {release, {r, \"1\"}, "
                      "[app1, sasl]}]}]},\n"
                      "            {bare, [{erl_opts, []}]},\n"
                      "            {min, [{relx, [{mode, minimal}]}]}]}.\n";
    char *err = NULL;
    /* default: relx folds in order: {mode, dev} then include_erts true */
    char *y = import_rebar(cfg, "default", &err);
    assert_non_null(y);
    assert_has(y, "    include_erts: true\n    strip_beams: false\n    include_src: true\n"
                  "    dev_mode: true\n");
    free(y);
    /* prod: rebar3 sorts the merged list by key: include_erts, then mode
     * dev, then the profile's mode prod (the base's before the profile's for
     * one key), and the profile's release replaces the base's */
    y = import_rebar(cfg, "prod", &err);
    assert_non_null(y);
    assert_has(y, "  env: prod\n");
    assert_has(y, "      app1: permanent\n      sasl: permanent\n    include_erts: true\n"
                  "    strip_beams: true\n    include_src: false\n");
    free(y);
    /* a profile without a relx section merges nothing */
    y = import_rebar(cfg, "bare", &err);
    assert_non_null(y);
    assert_has(y, "    dev_mode: true\n");
    free(y);
    /* two profiles (rebar3 as min,prod: the directory min+prod): in order */
    y = import_rebar(cfg, "min+prod", &err);
    assert_non_null(y);
    assert_has(y, "    include_erts: true\n    strip_beams: true\n");
    free(y);
}

static void test_relx_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *opt, *named;
    } cases[] = {
        {"{overlay, [{nonsense_op, \"x\"}]}", "malformed"},
        {"{extended_start_script_extensions, [{x, \"y\"}]}", "extended_start_script_extensions"},
        {"{extended_start_script, false}", "{extended_start_script,false}"},
        {"{system_libs, \"/opt/otp/lib\"}", "system_libs"},
        {"{mode, fast}", "{mode,fast}"},
        {"{release, {'Bad-Name', \"1\"}, [app1]}", "Bad-Name"},
        {"{lib_dirs, [\"apps/*\"]}", "lib_dirs"},
        {"{exclude_modules, [app1]}", "exclude_modules"},
        {"{upfrom, \"0.9\"}", "upfrom"},
        {"{nonsense}", "{nonsense}"},
        {"{mode, dev}, {exclude_apps, [x]}", "{mode, dev} with exclude_apps"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char cfg[512], *err = NULL;
        snprintf(cfg, sizeof(cfg), "{relx, [{release, {r, \"1\"}, [app1]}, %s]}.\n",
                 cases[i].opt);
        char *y = import_rebar(cfg, "default", &err);
        if (y)
            fail_msg("accepted %s:\n%s", cases[i].opt, y);
        if (!strstr(err, cases[i].named) || strchr(err, '\n'))
            fail_msg("refusal of %s does not name it on one line: %s", cases[i].opt, err);
        free(err);
    }
    /* what relx only checks or tunes for itself is accepted */
    char *err = NULL;
    char *y = import_rebar("{relx, [{release, {r, \"1\"}, [app1]}, {extended_start_script, true},"
                           " {src_tests, true}, {include_nodetool, true}, {exref, false}]}.\n",
                           "default", &err);
    if (!y)
        fail_msg("%s", err);
    free(y);
}

static void test_version_order_and_pick(void **state)
{
    (void)state;
    assert_true(rel_semver_compare("1.10.0", "1.9.0") > 0);
    assert_true(rel_semver_compare("1.0.0-rc.1", "1.0.0") < 0);
    assert_true(rel_semver_compare("1.0.0-rc.2", "1.0.0-rc.10") < 0);
    assert_true(rel_semver_compare("1.0.0+build.3", "1.0.0") > 0);
    assert_int_equal(rel_semver_compare("01.2", "1.2"), 0);
    const char *y = "releases:\n"
                    "  r_0_2: {name: r, version: \"0.2\", applications: {a: permanent}}\n"
                    "  r: {version: \"0.10\", applications: {a: permanent}}\n"
                    "  r_0_9: {name: r, version: \"0.9\", applications: {a: permanent}}\n"
                    "default_release: r\n";
    struct rel_config *cfg = NULL;
    if (rel_config_parse(&cfg, y, strlen(y), "relman.yml", NULL) < 0)
        fail_msg("%s", rel_error_message());
    const struct rel_config_release *r = NULL;
    assert_int_equal(rel_config_pick_release(&r, cfg, NULL), 0);
    assert_string_equal(r->version, "0.10");
    assert_string_equal(rel_config_find_release(cfg, "r_0_9")->version, "0.9");
    assert_string_equal(rel_config_find_release(cfg, "r_0_2")->name, "r");
    rel_config_free(cfg);
    /* one name and version twice is refused */
    y = "releases:\n  a: {version: \"1\"}\n  b: {name: a, version: \"1\"}\n";
    assert_int_equal(rel_config_parse(&cfg, y, strlen(y), "relman.yml", NULL), REL_ECONFIG);
    assert_non_null(strstr(rel_error_message(), "defined twice"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choices_on_one_release),
        cmocka_unit_test(test_choices_on_every_release),
        cmocka_unit_test(test_bad_choices),
        cmocka_unit_test(test_template_files_exist),
        cmocka_unit_test(test_relx_forms),
        cmocka_unit_test(test_relx_profiles),
        cmocka_unit_test(test_relx_erts_root_and_file),
        cmocka_unit_test(test_relx_refusals),
        cmocka_unit_test(test_version_order_and_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
