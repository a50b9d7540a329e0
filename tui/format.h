/*
 * format.h - short human forms of times for the screens (sizes: core/size.h
 * rel_size_human, the one rule).
 */
#ifndef TUI_FORMAT_H
#define TUI_FORMAT_H

#include <stddef.h>
#include <time.h>

/* "2026-11-22 14:02 (3 m ago)"; "never" for 0 */
const char *tui_format_when(char *buf, size_t size, time_t t, time_t now);

#endif
