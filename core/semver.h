/*
 * semver.h - the order relx gives release versions (rlx_util:parse_vsn, i.e.
 * ec_semver), which decides the release `rebar3 release` builds when one
 * has several versions.
 */
#ifndef REL_SEMVER_H
#define REL_SEMVER_H

/* "MAJOR.MINOR.PATCH-PRE+BUILD": dot-separated parts, numeric ones compared
 * as numbers ("1.10" > "1.9", "01" = "1"), others as text (numbers before
 * words); a pre-release ("-rc.1") comes before its release, build metadata
 * ("+build.3") after it. <0, 0 or >0. */
int rel_semver_compare(const char *a, const char *b);

#endif
