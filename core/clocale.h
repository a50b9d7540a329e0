/*
 * clocale.h - number conversions in the C locale.
 *
 * The CLI runs under setlocale(LC_ALL, ""), where strtod and printf may use a
 * decimal comma; Erlang text and the external term format always use a
 * point. The C locale is made once (thread-safe) and switched to for the
 * calling thread only.
 */
#ifndef REL_CLOCALE_H
#define REL_CLOCALE_H

#include <locale.h>

/* Switch this thread to the C locale; returns what to pass to
 * rel_clocale_leave() (0 when the C locale could not be made: nothing
 * changes then). */
locale_t rel_clocale_enter(void);

/* Switch back to the locale rel_clocale_enter() returned. */
void rel_clocale_leave(locale_t old);

/* strtod() in the C locale. */
double rel_clocale_strtod(const char *s, char **end);

#endif
