/*
 * root.c - the first screen, from the PATH given to `relman tui`:
 *   - a project directory with relman.yml: the Releases screen;
 *   - a project directory without one: the guided first release;
 *   - an assembled release directory or a file (a release tarball):
 *     Inspect, read-only.
 *
 * A release directory is told by its releases/ directory holding what
 * every release tool writes there: start_erl.data (relman, mix, rebar3 /
 * relx) or RELEASES (relx, systools, a release that has run), or one
 * releases/VSN/ directory with a boot script (anything older).
 */
#include "tui/root.h"

#include "core/alloc.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/path.h"
#include "tui/project.h"
#include "tui/screens.h"
#include "tui/ui.h"

#include <dirent.h>
#include <stdlib.h>

static bool has_file(const char *dir, const char *rel)
{
    char *p = rel_path_join2(dir, rel);
    bool yes = rel_fs_exists(p);
    free(p);
    return yes;
}

static bool is_release_dir(const char *dir)
{
    if (has_file(dir, "releases/start_erl.data") || has_file(dir, "releases/RELEASES"))
        return true;
    char *rels = rel_path_join2(dir, "releases");
    bool found = false;
    DIR *d = opendir(rels);
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *boot = rel_asprintf("releases/%s/start.boot", e->d_name);
        found = has_file(dir, boot);
        free(boot);
    }
    if (d)
        closedir(d);
    free(rels);
    return found;
}

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
    if (!has_config)
        return is_release_dir(dir) ? tui_inspect_open(dir) : tui_setup_open(dir);
    struct tui_project *tp = NULL;
    int rc = tui_project_open(&tp, dir);
    if (rc < 0)
        return rc;
    return tui_releases_open(tp);
}
