/*
 * action.c - the action table, the scopes and the keymap built from them.
 */
#include "tui/action.h"

#include "core/alloc.h"
#include "core/error.h"
#include "tui/keys.h"

#include <stdlib.h>
#include <string.h>

static const struct tui_action_info actions[TUI_ACT_COUNT] = {
    [TUI_ACT_NONE] = {"none", "", 0, 0, "", "nothing (unbinds a key)"},
#define X(id, n, k, s, f, hint, h) [TUI_ACT_##id] = {n, k, s, f, hint, h},
    TUI_ACTION_TABLE
#undef X
};

static const struct {
    const char *name, *desc;
} scopes[TUI_SCOPE_COUNT] = {
#define X(id, n, d) [TUI_SCOPEID_##id] = {n, d},
    TUI_SCOPE_TABLE
#undef X
};

const struct tui_action_info *tui_action_info(enum tui_action a)
{
    return (unsigned)a < TUI_ACT_COUNT ? &actions[a] : &actions[0];
}

enum tui_action tui_action_find(const char *name)
{
    for (int i = 1; i < TUI_ACT_COUNT; i++)
        if (strcmp(actions[i].name, name) == 0)
            return (enum tui_action)i;
    return TUI_ACT_NONE;
}

const char *tui_scope_name(enum tui_scope_id s)
{
    return (unsigned)s < TUI_SCOPE_COUNT ? scopes[s].name : "?";
}

const char *tui_scope_describe(enum tui_scope_id s)
{
    return (unsigned)s < TUI_SCOPE_COUNT ? scopes[s].desc : "?";
}

int tui_scope_find(const char *name)
{
    for (int i = 0; i < TUI_SCOPE_COUNT; i++)
        if (strcmp(scopes[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- keymap ---- */

struct binding {
    enum tui_scope_id scope;
    int key;
    enum tui_action action;
};

static struct binding *bindings;
static size_t nbindings, capbindings;

void tui_keymap_free(void)
{
    free(bindings);
    bindings = NULL;
    nbindings = capbindings = 0;
}

static void add_binding(enum tui_scope_id scope, int key, enum tui_action action)
{
    for (size_t i = 0; i < nbindings; i++)
        if (bindings[i].scope == scope && bindings[i].key == key) {
            bindings[i].action = action;
            return;
        }
    if (nbindings == capbindings) {
        capbindings = capbindings ? capbindings * 2 : 64;
        bindings = rel_reallocarray(bindings, capbindings, sizeof(*bindings));
    }
    bindings[nbindings++] = (struct binding){scope, key, action};
}

/* The lowest scope of a mask: where a default binding lives. A binding for
 * an action shared by several screens goes into each screen's keymap. */
void tui_keymap_reset(void)
{
    nbindings = 0;
    for (int a = 1; a < TUI_ACT_COUNT; a++) {
        const char *p = actions[a].keys;
        while (*p) {
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            char word[32];
            size_t n = strcspn(p, " ");
            if (n >= sizeof(word))
                n = sizeof(word) - 1;
            memcpy(word, p, n);
            word[n] = '\0';
            p += n;
            int key = tui_key_parse_one(word);
            if (key < 0)
                abort(); /* a bad key name in the table is a programming error */
            for (int s = 0; s < TUI_SCOPE_COUNT; s++)
                if (actions[a].scope & (1u << s))
                    add_binding((enum tui_scope_id)s, key, (enum tui_action)a);
        }
    }
}

static bool generic_reaches(enum tui_action a)
{
    for (size_t i = 0; i < nbindings; i++)
        if (bindings[i].scope == TUI_SCOPEID_GENERIC && bindings[i].action == a)
            return true;
    return false;
}

int tui_keymap_bind(enum tui_scope_id scope, int key, enum tui_action action)
{
    if ((unsigned)scope >= TUI_SCOPE_COUNT)
        return rel_error_set(REL_EINVAL, "no such keymap");
    enum tui_action before = TUI_ACT_NONE;
    for (size_t i = 0; i < nbindings; i++)
        if (bindings[i].scope == scope && bindings[i].key == key)
            before = bindings[i].action;
    add_binding(scope, key, action);
    /* close quits on the first screen */
    if (!generic_reaches(TUI_ACT_QUIT) && !generic_reaches(TUI_ACT_CLOSE) &&
        !generic_reaches(TUI_ACT_COMMAND)) {
        add_binding(scope, key, before);
        return rel_error_set(REL_EINVAL, "this would leave no key for both 'quit' and 'command'");
    }
    return 0;
}

enum tui_action tui_keymap_lookup(enum tui_scope_id scope, int key)
{
    for (size_t i = 0; i < nbindings; i++)
        if (bindings[i].scope == scope && bindings[i].key == key)
            return bindings[i].action;
    if (scope != TUI_SCOPEID_GENERIC)
        for (size_t i = 0; i < nbindings; i++)
            if (bindings[i].scope == TUI_SCOPEID_GENERIC && bindings[i].key == key) {
                /* A generic binding does not reach through a key the screen
                 * binds to something else (handled above), nor does it apply
                 * when the screen's own keymap took the key away ("none"). */
                return bindings[i].action;
            }
    return TUI_ACT_NONE;
}

const char *tui_keymap_keys(enum tui_scope_id scope, enum tui_action action, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nbindings; i++) {
        if (bindings[i].scope != scope || bindings[i].action != action)
            continue;
        /* A generic key the screen rebinds does not reach this action there. */
        char name[32];
        tui_key_name(bindings[i].key, name, sizeof(name));
        size_t n = strlen(name);
        if (used + n + 2 > size)
            break;
        if (used)
            buf[used++] = ' ';
        memcpy(buf + used, name, n + 1);
        used += n;
    }
    return buf;
}

const char *tui_keymap_first_key(enum tui_scope_id scope, enum tui_action action, char *buf,
                                 size_t size)
{
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        enum tui_scope_id s = pass == 0 ? scope : TUI_SCOPEID_GENERIC;
        for (size_t i = 0; i < nbindings; i++)
            if (bindings[i].scope == s && bindings[i].action == action &&
                tui_keymap_lookup(scope, bindings[i].key) == action)
                return tui_key_name(bindings[i].key, buf, size);
    }
    return buf;
}
