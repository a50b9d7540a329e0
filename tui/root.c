/*
 * root.c - the first screen, from the PATH given to `relman tui`:
 *   - a project directory with relman.yml: the Releases screen;
 *   - a project directory without one: the guided first release;
 *   - an assembled release directory (releases/RELEASES) or a file (a
 *     release tarball): Inspect, read-only.
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
        return tui_inspect_open(dir); /* a release tarball */
    char *yml = rel_path_join2(dir, "relman.yml");
    bool has_config = rel_fs_is_file(yml);
    free(yml);
    if (!has_config) {
        char *rels = rel_path_join2(dir, "releases/RELEASES");
        bool is_release = rel_fs_exists(rels);
        free(rels);
        if (is_release)
            return tui_inspect_open(dir);
        return tui_setup_open(dir);
    }
    struct tui_project *tp = NULL;
    int rc = tui_project_open(&tp, dir);
    if (rc < 0)
        return rc;
    return tui_releases_open(tp);
}
