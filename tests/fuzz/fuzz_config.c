/*
 * fuzz_config.c - relman.yml is untrusted input: parsing it, and editing one
 * application's mode in it, must never crash, hang or leak, whatever the
 * bytes. An edit that succeeds must leave a file that parses.
 */
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct rel_config *cfg = NULL;
    if (rel_config_parse(&cfg, text, size, "relman.yml", "/fuzz") == 0) {
        const struct rel_config_release *r = NULL;
        (void)rel_config_pick_release(&r, cfg, NULL);
        for (size_t i = 0; i < cfg->nreleases; i++) {
            const char *modes[] = {"load", NULL};
            for (size_t m = 0; m < 2; m++) {
                const char *app = cfg->releases[i].napps ? cfg->releases[i].apps[0].name : "newapp";
                struct rel_buf out = REL_BUF_INIT;
                if (rel_config_edit_app_mode(&out, text, size, "relman.yml", cfg->releases[i].name,
                                             app, modes[m]) == 0) {
                    struct rel_config *again = NULL;
                    if (rel_config_parse(&again, out.ptr, out.len, "relman.yml", "/fuzz") < 0)
                        abort(); /* an edit produced an invalid file */
                    rel_config_free(again);
                }
                rel_buf_free(&out);
            }
            if (i >= 3)
                break;
        }
        rel_config_free(cfg);
    }
    rel_error_clear();
    return 0;
}
