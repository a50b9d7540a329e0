/*
 * eex.c - templates rendered by Elixir's own EEx (see eex.h).
 */
#define _GNU_SOURCE
#include "eex.h"

#include "alloc.h"
#include "buf.h"
#include "error.h"
#include "etf.h"
#include "fs.h"
#include "path.h"
#include "proc.h"
#include "template.h"
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Reads {Template, File, Fields, MixRelease} (external term format) from
 * $RELMAN_EEX_INPUT, renders Template as Mix.Tasks.Release's copy_template
 * does (EEx with assigns: [release: %Mix.Release{}]) and writes the result
 * to $RELMAN_EEX_OUTPUT (a file, so that nothing mix.exs prints can mix
 * into it).
 */
static const char eex_script[] =
    "{tpl, file, fields, mix} = :erlang.binary_to_term(File.read!(System.fetch_env!("
    "\"RELMAN_EEX_INPUT\")))\n"
    "fields =\n"
    "  case mix do\n"
    "    nil -> fields\n"
    "    name ->\n"
    "      extra =\n"
    "        try do\n"
    "          Mix.start()\n"
    "          Mix.env(String.to_atom(System.get_env(\"MIX_ENV\") || \"prod\"))\n"
    "          Code.compile_file(\"mix.exs\")\n"
    "          o = Keyword.get(Mix.Project.config()[:releases] || [], name)\n"
    "          o = if is_function(o, 0), do: o.(), else: o || []\n"
    "          {Keyword.get(o, :config_providers, []), Keyword.drop(o, [:applications, "
    ":include_erts, :path, :version, :config_providers, :steps])}\n"
    "        rescue\n"
    "          _ -> {[], []}\n"
    "        end\n"
    "      {providers, extra} = extra\n"
    "      opts = [overwrite: false, quiet: false, strip_beams: true] |> "
    "Keyword.merge(fields[:options]) |> Keyword.merge(extra)\n"
    "      fields |> Keyword.put(:options, opts) |> Keyword.update!(:config_providers, &(&1 ++ "
    "providers))\n"
    "  end\n"
    "out = EEx.eval_string(tpl, [assigns: [release: struct!(Mix.Release, fields)]], file: file)\n"
    "File.write!(System.fetch_env!(\"RELMAN_EEX_OUTPUT\"), out)\n";

/* The line of Elixir's output that says what went wrong. */
static char *error_line(const char *err)
{
    const char *p = strstr(err, "** (");
    if (!p) {
        p = err;
        while (*p == '\n' || *p == ' ')
            p++;
    }
    size_t n = strcspn(p, "\n");
    if (n > 300)
        n = 300;
    return rel_strndup(p, n);
}

static int write_private(const char *path, const struct rel_buf *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot create %s", path);
    size_t off = 0;
    while (off < data->len) {
        ssize_t w = write(fd, data->ptr + off, data->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            return rel_error_set_errno(REL_EIO, e, "cannot write %s", path);
        }
        off += (size_t)w;
    }
    if (close(fd) < 0)
        return rel_error_set_errno(REL_EIO, errno, "cannot write %s", path);
    return 0;
}

int rel_eex_render(struct rel_buf *out, const char *text, size_t len,
                   const struct rel_term *fields, const struct rel_eex_opts *o)
{
    const char *tmpdir = getenv("TMPDIR");
    char *dir = rel_asprintf("%s/relman-eex-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        int e = errno;
        int rc = rel_error_set_errno(REL_EIO, e, "%s: cannot create a private directory %s",
                                     o->file, dir);
        free(dir);
        return rc;
    }
    char *in_path = rel_path_join2(dir, "in");
    char *out_path = rel_path_join2(dir, "out");
    struct rel_term *msg = rel_term_tuple(
        4, rel_term_binary(text, len), rel_term_binary_str(o->file), rel_term_clone(fields),
        o->mix_release ? rel_term_atom(o->mix_release) : rel_term_atom("nil"));
    struct rel_buf bin = REL_BUF_INIT, so = REL_BUF_INIT, se = REL_BUF_INIT;
    char *e_in = rel_asprintf("RELMAN_EEX_INPUT=%s", in_path);
    char *e_out = rel_asprintf("RELMAN_EEX_OUTPUT=%s", out_path);
    char *e_mix = rel_asprintf("MIX_ENV=%s", o->mix_env ? o->mix_env : "prod");
    const char *env[] = {e_in, e_out, e_mix, NULL};
    const char *argv[] = {"elixir", "-e", eex_script, NULL};
    int rc = rel_etf_encode(&bin, msg, 0);
    if (rc == 0)
        rc = write_private(in_path, &bin);
    int status = 0;
    if (rc == 0) {
        struct rel_proc_opts po = {.cwd = o->cwd, .env = env, .out = &so, .err = &se};
        rc = rel_proc_run(&status, argv, &po);
        if (rc < 0)
            rel_error_prefix("%s: cannot render with Elixir's EEx", o->file);
    }
    if (rc == 0 && status != 0) {
        char *line = error_line(se.len ? rel_buf_cstr(&se) : rel_buf_cstr(&so));
        rc = rel_error_set(REL_ETEMPLATE, "%s: EEx: %s", o->file,
                           line[0] ? line : "elixir exited with an error");
        free(line);
    }
    if (rc == 0) {
        size_t before = out->len;
        rc = rel_fs_read_file(out, out_path, REL_TEMPLATE_MAX_SIZE * 4);
        if (rc < 0)
            rel_buf_truncate(out, before);
    }
    unlink(in_path);
    unlink(out_path);
    rmdir(dir);
    free(e_in);
    free(e_out);
    free(e_mix);
    rel_buf_free(&bin);
    rel_buf_free(&so);
    rel_buf_free(&se);
    rel_term_free(msg);
    free(in_path);
    free(out_path);
    free(dir);
    return rc;
}
