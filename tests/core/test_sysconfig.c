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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stale_cache_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
