/*
 * screens.h - the project screens and how to open them.
 */
#ifndef TUI_SCREENS_H
#define TUI_SCREENS_H

struct tui_project;

/* The releases of the project (the first screen); takes ownership of `tp`. */
int tui_releases_open(struct tui_project *tp);
/* The applications of release `name`. */
int tui_apps_open(struct tui_project *tp, const char *name);
/* The rendered files of release `name`. */
int tui_preview_open(struct tui_project *tp, const char *name);

/* The guided first release in `dir` (a project without relman.yml). */
int tui_setup_open(const char *dir);

/* Assemble release `name` in the background (a screen with its progress). */
int tui_assemble_open(struct tui_project *tp, const char *name);
/* Ask first when relman.yml has unsaved changes (assembly reads the saved
 * file's model), then tui_assemble_open(). Reaction flags. */
int tui_assemble_start(struct tui_project *tp, const char *name);
/* The deploy targets of release `name`: state, actions, command log. */
int tui_targets_open(struct tui_project *tp, const char *name);
/* Browse a release directory or tarball at `path`, read-only. */
int tui_inspect_open(const char *path);
/* Show `text` (already masked) in a pager screen. */
int tui_pager_open(const char *crumb, const char *title, const char *text);
/* The show-text action: a pager with the selected row's whole text (the
 * view's text op) and the last messages, wrapped to the screen's width. */
struct tui_view;
int tui_pager_show_text(struct tui_view *v);

#endif
