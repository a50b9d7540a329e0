/*
 * root.c - the first screen, from the PATH given to `relman tui`:
 *   - a project directory with relman.yml: the Releases screen;
 *   - a project directory without one: the guided first release;
 *   - anything else (a release directory or tarball to inspect) is refused
 *     for now with a message saying so.
 */
#include "tui/root.h"

#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "tui/project.h"
#include "tui/screens.h"
#include "tui/ui.h"

#include <stdlib.h>

int tui_root_open(const char *path)
{
    const char *dir = path ? path : ".";
    if (!rel_fs_exists(dir))
        return rel_error_set(REL_ENOTFOUND, "%s: no such file or directory", dir);
    if (!rel_fs_is_dir(dir))
        return rel_error_set(REL_EUNSUPPORTED,
                             "%s: browsing a release tarball is not in this build of the TUI yet",
                             dir);
    char *yml = rel_path_join2(dir, "relman.yml");
    bool has_config = rel_fs_is_file(yml);
    free(yml);
    if (!has_config) {
        char *rels = rel_path_join2(dir, "releases/RELEASES");
        bool is_release = rel_fs_exists(rels);
        free(rels);
        if (is_release)
            return rel_error_set(REL_EUNSUPPORTED,
                                 "%s: browsing an assembled release is not in this build of the "
                                 "TUI yet",
                                 dir);
        return tui_setup_open(dir);
    }
    struct tui_project *tp = NULL;
    int rc = tui_project_open(&tp, dir);
    if (rc < 0)
        return rc;
    return tui_releases_open(tp);
}
