/*
 * session.h - the relman.yml being edited in the TUI.
 *
 * Edits never touch the file until `save`: each mode change produces a new
 * version of the file's TEXT through core's surgical edit
 * (rel_config_edit_app_mode, which changes only that entry and re-validates
 * the result). The versions form the undo history; the configuration parsed
 * from the current version is what the screens resolve and show. Saving
 * writes the current text atomically (temp + rename, permission bits kept),
 * and refuses when the file changed on disk since it was read, so work done
 * in an editor meanwhile is never overwritten.
 */
#ifndef TUI_SESSION_H
#define TUI_SESSION_H

#include "core/config.h"

#include <stdbool.h>
#include <stddef.h>

struct tui_session;

/* Read relman.yml at `path`. 0 or REL_E* (a parse error names FILE:LINE:COL). */
int tui_session_open(struct tui_session **out, const char *path);
void tui_session_free(struct tui_session *s);

/* The configuration parsed from the current text (owned by the session,
 * valid until the next edit, undo, redo or reload). */
const struct rel_config *tui_session_config(const struct tui_session *s);
const char *tui_session_path(const struct tui_session *s);
const char *tui_session_text(const struct tui_session *s);
/* A number that changes whenever the current text does (for caches). */
unsigned tui_session_generation(const struct tui_session *s);

/*
 * Set (`mode` != NULL) or drop (NULL) the explicit start mode of `app` in
 * release `release`. Returns 0 (also when nothing changed), or REL_E* with
 * the message set and nothing changed.
 */
int tui_session_set_mode(struct tui_session *s, const char *release, const char *app,
                         const char *mode);

/* Undo / redo one edit; false when there is nothing to undo / redo. The
 * label of the edit concerned ("kv: load") is put in `label`. */
bool tui_session_undo(struct tui_session *s, char *label, size_t size);
bool tui_session_redo(struct tui_session *s, char *label, size_t size);

/* Whether the current text differs from the file as last read or saved. */
bool tui_session_dirty(const struct tui_session *s);

/* Whether the file on disk now differs from the text as last read or saved
 * (an editor changed it; false when it cannot be read). */
bool tui_session_disk_changed(const struct tui_session *s);

/* Write the current text to the file. 0 or REL_E* (REL_ECONFIG when the
 * file changed on disk since it was read; nothing is written then). */
int tui_session_save(struct tui_session *s);

/* Re-read the file, dropping unsaved edits and the history. */
int tui_session_reload(struct tui_session *s);

#endif
