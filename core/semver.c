/*
 * semver.c - relx's order of release versions (see semver.h).
 */
#include "semver.h"

#include <stdbool.h>
#include <string.h>

/* relx's version order: ec_semver splits "MAJOR.MINOR.PATCH-PRE+BUILD";
 * numeric parts compare as numbers, alphanumeric ones as text, a version
 * with a pre-release comes before the same version without, build metadata
 * after it. */
static int semver_part_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    size_t ia = 0, ib = 0;
    while (ia < la && ib < lb) {
        size_t ea = ia, eb = ib;
        while (ea < la && a[ea] != '.')
            ea++;
        while (eb < lb && b[eb] != '.')
            eb++;
        bool na = ea > ia && strspn(a + ia, "0123456789") >= ea - ia;
        bool nb = eb > ib && strspn(b + ib, "0123456789") >= eb - ib;
        int c;
        if (na && nb) {
            while (ia < ea - 1 && a[ia] == '0')
                ia++;
            while (ib < eb - 1 && b[ib] == '0')
                ib++;
            c = ea - ia != eb - ib ? (ea - ia < eb - ib ? -1 : 1)
                                   : strncmp(a + ia, b + ib, ea - ia);
        } else if (na != nb) {
            c = na ? -1 : 1; /* numbers before words */
        } else {
            size_t n = ea - ia < eb - ib ? ea - ia : eb - ib;
            c = strncmp(a + ia, b + ib, n);
            if (!c && ea - ia != eb - ib)
                c = ea - ia < eb - ib ? -1 : 1;
        }
        if (c)
            return c < 0 ? -1 : 1;
        ia = ea + (ea < la);
        ib = eb + (eb < lb);
    }
    return ia < la ? 1 : ib < lb ? -1 : 0;
}

int rel_semver_compare(const char *a, const char *b)
{
    size_t ma = strcspn(a, "-+"), mb = strcspn(b, "-+");
    int c = semver_part_cmp(a, ma, b, mb);
    if (c)
        return c;
    const char *pa = a[ma] == '-' ? a + ma + 1 : NULL, *pb = b[mb] == '-' ? b + mb + 1 : NULL;
    size_t lpa = pa ? strcspn(pa, "+") : 0, lpb = pb ? strcspn(pb, "+") : 0;
    if (pa && !pb)
        return -1;
    if (pb && !pa)
        return 1;
    if (pa && (c = semver_part_cmp(pa, lpa, pb, lpb)))
        return c;
    const char *ba = strchr(a, '+'), *bb = strchr(b, '+');
    if (ba && !bb)
        return 1;
    if (bb && !ba)
        return -1;
    return ba ? semver_part_cmp(ba + 1, strlen(ba + 1), bb + 1, strlen(bb + 1)) : 0;
}

