/* Unit tests for core/sysconfig's configuration cache: a stale
 * `config.cache.lock` (a relman killed while writing the cache) is no
 * failure, but is reported as a warning naming the lock file. Runs the
 * installed `elixir` once (skipped when there is none). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/event.h"
#include "core/proc.h"
#include "core/sysconfig.h"
#include "core/term.h"
#include "fixture.h"

static void test_stale_cache_lock(void **state)
{
    (void)state;
    if (!rel_proc_which(NULL, "elixir"))
        skip();
    char *dir = fx_dir();
    fx_write(dir, "config/config.exs", "import Config\nconfig :a, k: 1\n");
    fx_write(dir, "_build/prod/.relman/config.cache.lock", "");
    char *config = rel_path_join2(dir, "config/config.exs");
    char *cache = rel_path_join2(dir, "_build/prod/.relman/config.cache");
    struct rel_event_recorder rec = {0};
    struct rel_events ev;
    rel_event_recorder_init(&rec, &ev);
    struct rel_mix_config mc = {
        .project_root = dir, .config_path = config, .env = "prod", .cache_file = cache, .ev = &ev};
    struct rel_term *t = NULL;
    if (rel_sysconfig_eval_mix(&t, NULL, &mc) < 0)
        fail_msg("%s", rel_error_message());
    assert_non_null(t);
    long w = rel_event_recorder_find(&rec, "log warning ");
    assert_true(w >= 0);
    assert_non_null(strstr(rec.lines[w], "config.cache.lock exists"));
    assert_false(rel_fs_is_file(cache));
    rel_term_free(t);
    rel_event_recorder_free(&rec);
    free(config);
    free(cache);
    fx_done(dir);
}

static struct rel_term *parse(const char *text)
{
    struct rel_term *t = NULL;
    if (rel_term_parse_one(&t, text, strlen(text), "test") < 0)
        fail_msg("%s", rel_error_message());
    return t;
}

/* The kernel entries of mix's Mix.Release.make_sys_config: rebooting without
 * distribution during configuration starts the VM undistributed
 * (sys.config) and turns distribution on after the reboot (the provider's
 * extra_config); otherwise neither. Other providers follow runtime.exs's. */
static void test_provider_terms(void **state)
{
    (void)state;
    struct rel_term *others = parse("[{'Elixir.Config.Reader',{{system,<<\"RELEASE_ROOT\">>,"
                                    "<<\"/x.exs\">>},[]}},{'Elixir.P',{inited,<<\"v\">>}}].");
    struct rel_provider_opts po = {.version = "1.0",
                                   .runtime_file = "runtime.exs",
                                   .providers = others,
                                   .env = "prod",
                                   .reboot_after_config = true};
    struct rel_term *t = rel_sysconfig_provider(&po);
    const struct rel_term *init =
        rel_term_proplist_get(rel_term_proplist_get(t, "elixir"), "config_provider_init");
    struct rel_term *on = parse("[{kernel,[{start_distribution,true}]}].");
    struct rel_term *off = parse("[{start_distribution,false}].");
    assert_true(rel_term_equal(rel_term_map_get_atom(init, "extra_config"), on));
    assert_true(rel_term_equal(rel_term_proplist_get(t, "kernel"), off));
    const struct rel_term *provs = rel_term_map_get_atom(init, "providers");
    assert_int_equal(rel_term_list_len(provs), 3);
    assert_true(rel_term_equal(rel_term_list_get(provs, 1), rel_term_list_get(others, 0)));
    assert_true(rel_term_equal(rel_term_list_get(provs, 2), rel_term_list_get(others, 1)));
    rel_term_free(t);

    po.start_distribution_during_config = true;
    t = rel_sysconfig_provider(&po);
    init = rel_term_proplist_get(rel_term_proplist_get(t, "elixir"), "config_provider_init");
    assert_int_equal(rel_term_list_len(rel_term_map_get_atom(init, "extra_config")),
                     0);
    assert_null(rel_term_proplist_get(t, "kernel"));
    rel_term_free(t);

    /* providers without runtime.exs */
    po.runtime_file = NULL;
    po.reboot_after_config = false;
    t = rel_sysconfig_provider(&po);
    init = rel_term_proplist_get(rel_term_proplist_get(t, "elixir"), "config_provider_init");
    provs = rel_term_map_get_atom(init, "providers");
    assert_true(rel_term_equal(provs, others));
    rel_term_free(t);

    struct rel_term *r = rel_sysconfig_reader(NULL, "/etc/app.exs");
    struct rel_term *want = parse("{'Elixir.Config.Reader',{<<\"/etc/app.exs\">>,[]}}.");
    assert_true(rel_term_equal(r, want));
    rel_term_free(r);
    rel_term_free(want);
    rel_term_free(on);
    rel_term_free(off);
    rel_term_free(others);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stale_cache_lock),
        cmocka_unit_test(test_provider_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
