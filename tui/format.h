/*
 * format.h - short human forms of sizes and times for the screens.
 */
#ifndef TUI_FORMAT_H
#define TUI_FORMAT_H

#include <stddef.h>
#include <time.h>

/* "17.2 kB", "2.0 MB", "899 B": core/size.h rel_size_human */
const char *tui_format_size(char *buf, size_t size, unsigned long long bytes);
/* "2026-11-22 14:02 (3 m ago)"; "never" for 0 */
const char *tui_format_when(char *buf, size_t size, time_t t, time_t now);

#endif
