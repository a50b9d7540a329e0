/*
 * clocale.c - the C locale for number conversions (see clocale.h).
 */
#include "clocale.h"

#include <pthread.h>
#include <stdlib.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t rel_clocale_enter(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

void rel_clocale_leave(locale_t old)
{
    if (old)
        uselocale(old);
}

double rel_clocale_strtod(const char *s, char **end)
{
    locale_t old = rel_clocale_enter();
    double d = strtod(s, end);
    rel_clocale_leave(old);
    return d;
}
