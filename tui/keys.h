/*
 * keys.h - one integer per key press, and its names.
 *
 * A key is a Unicode code point (control keys are their control codes:
 * ctrl-l is 12, esc 27, enter 10, tab 9) or, for keys curses reports as
 * function keys, TUI_KEY_FN | KEY_xxx. The same names are used in key
 * bindings (tui.conf), in `relman tui --keys`, in the help screen and in
 * headless scripts:
 *
 *     a  G  ?  /  :          the character itself (any one UTF-8 character)
 *     ^L  <C-l>              control keys
 *     <Enter> <Esc> <Tab> <S-Tab> <Space> <Backspace> <Del> <Up> <Down>
 *     <Left> <Right> <PgUp> <PgDn> <Home> <End> <F1>..<F12> <lt> (a '<')
 *     <Colon> <Hash> (':' and '#', for script lines that start with them)
 *
 * Names are case-insensitive inside <>; the brackets may be left out when the
 * name is longer than one character ("enter", "pgdn", "C-l").
 */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

#include <stddef.h>

#define TUI_KEY_FN 0x40000000
#define TUI_KEY_ENTER 10
#define TUI_KEY_ESC 27
#define TUI_KEY_TAB 9
#define TUI_KEY_CTRL(c) ((c)&0x1f)
/* A pseudo-key for "the terminal was resized" (curses' KEY_RESIZE). */
int tui_key_resize(void);

/*
 * Parse one key name at *s and advance *s past it. Returns the key, or -1
 * (with *s unchanged) when the text there is not a key name.
 */
int tui_key_parse(const char **s);
/* Parse a whole string that must be exactly one key name; -1 if it is not. */
int tui_key_parse_one(const char *s);

/* The canonical name of a key ("j", "^L", "<Enter>", "<PgDn>") into buf. */
const char *tui_key_name(int key, char *buf, size_t size);

/* Normalise what curses returned (get_wch) into a key: KEY_ENTER and '\r'
 * become TUI_KEY_ENTER, KEY_BACKSPACE and DEL become the same key, ... */
int tui_key_from_curses(int ret, unsigned int wch);

#endif
