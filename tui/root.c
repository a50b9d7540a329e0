/*
 * root.c - the first screen.
 *
 * The project screens (Releases, Applications, Preview, the guided first
 * release) open on the project model from core/; until this build has that
 * model, the TUI starts on its help screen.
 */
#include "tui/root.h"

#include "core/error.h"
#include "core/fs.h"
#include "tui/help.h"
#include "tui/ui.h"

int tui_root_open(const char *path)
{
    if (path && !rel_fs_exists(path))
        return rel_error_set(REL_ENOTFOUND, "%s: no such file or directory", path);
    tui_help_open(TUI_SCOPEID_GENERIC);
    tui_message("the project screens are not in this build yet: this is the key reference");
    return 0;
}
