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
#include "sha256.h"
#include "template.h"
#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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
    "release = struct!(Mix.Release, fields)\n"
    /* an error's text may inspect @release: never with the cookie in it */
    "try do\n"
    "  out = EEx.eval_string(tpl, [assigns: [release: release]], file: file)\n"
    "  File.write!(System.fetch_env!(\"RELMAN_EEX_OUTPUT\"), out)\n"
    "rescue\n"
    "  e ->\n"
    "    msg = Exception.message(e)\n"
    "    msg = case release.options[:cookie] do\n"
    "      c when is_binary(c) and c != \"\" -> String.replace(msg, c, \"********\")\n"
    "      _ -> msg\n"
    "    end\n"
    "    IO.puts(:stderr, \"** (#{inspect(e.__struct__)}) \" <> String.replace(msg, \"\\n\", \" \"))\n"
    "    System.halt(1)\n"
    "end\n";

char *rel_eex_error_line(const char *err)
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

static int render(struct rel_buf *out, const struct rel_buf *input, const struct rel_eex_opts *o);

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

/* ---- the cache ----------------------------------------------------------- */

#define CACHE_MAGIC "relman eex cache 1\n"

static bool cache_enabled(const struct rel_eex_opts *o)
{
    const char *off = getenv("RELMAN_NO_CONFIG_CACHE");
    return o->cache_dir && !(off && *off && strcmp(off, "0") != 0);
}

/* The cache file of template o->file: its path with '/' made '_'. */
static char *cache_path(const struct rel_eex_opts *o)
{
    char *name = rel_asprintf("eex-%s", o->file);
    for (char *c = name; *c; c++)
        if (*c == '/' || *c == '\n')
            *c = '_';
    char *p = rel_path_join2(o->cache_dir, name);
    free(name);
    return p;
}

static void cache_key(char hex[65], const struct rel_buf *input, const struct rel_eex_opts *o)
{
    struct rel_sha256 s;
    uint8_t d[32];
    struct rel_buf mixexs = REL_BUF_INIT;
    char *mp = rel_path_join2(o->cwd, "mix.exs");
    if (o->mix_release)
        rel_fs_read_file(&mixexs, mp, (size_t)4 << 20);
    rel_error_clear();
    free(mp);
    rel_sha256_init(&s);
    rel_sha256_update(&s, input->ptr, input->len);
    rel_sha256_update(&s, "\0", 1);
    rel_sha256_update(&s, mixexs.ptr ? mixexs.ptr : "", mixexs.len);
    char *more = rel_asprintf("\n%s\n%s\n", o->mix_env ? o->mix_env : "prod",
                              o->elixir_version ? o->elixir_version : "");
    rel_sha256_update(&s, more, strlen(more));
    rel_sha256_final(&s, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    free(more);
    rel_buf_free(&mixexs);
}

/* 1 and the text appended to `out` on a hit, else 0. */
static int cache_lookup(struct rel_buf *out, const char *path, const char *key)
{
    struct rel_buf b = REL_BUF_INIT;
    int hit = 0;
    if (rel_fs_read_file(&b, path, REL_TEMPLATE_MAX_SIZE * 4 + 200) == 0) {
        size_t ml = strlen(CACHE_MAGIC);
        const char *t = rel_buf_cstr(&b);
        if (b.len > ml + 65 && memcmp(t, CACHE_MAGIC, ml) == 0 &&
            memcmp(t + ml, key, 64) == 0 && t[ml + 64] == '\n') {
            rel_buf_put(out, t + ml + 65, b.len - ml - 65);
            hit = 1;
        }
    }
    rel_error_clear();
    rel_buf_free(&b);
    return hit;
}

static void cache_store(const char *dir, const char *path, const char *key, const char *text,
                        size_t len)
{
    struct rel_buf b = REL_BUF_INIT;
    rel_buf_printf(&b, "%s%s\n", CACHE_MAGIC, key);
    rel_buf_put(&b, text, len);
    if (rel_fs_mkdirs(dir, 0755) == 0)
        rel_fs_write_atomic(path, b.ptr, b.len, 0600);
    rel_error_clear();
    rel_buf_free(&b);
}

int rel_eex_render(struct rel_buf *out, const char *text, size_t len,
                   const struct rel_term *fields, const struct rel_eex_opts *o)
{
    struct rel_term *msg0 = rel_term_tuple(
        4, rel_term_binary(text, len), rel_term_binary_str(o->file), rel_term_clone(fields),
        o->mix_release ? rel_term_atom(o->mix_release) : rel_term_atom("nil"));
    struct rel_buf input = REL_BUF_INIT;
    int rc0 = rel_etf_encode(&input, msg0, 0);
    rel_term_free(msg0);
    char key[65] = "";
    char *cpath = NULL;
    if (rc0 == 0 && cache_enabled(o)) {
        cache_key(key, &input, o);
        cpath = cache_path(o);
        if (cache_lookup(out, cpath, key)) {
            free(cpath);
            rel_buf_free(&input);
            return 0;
        }
    }
    size_t before = out->len;
    rc0 = rc0 ? rc0 : render(out, &input, o);
    if (rc0 == 0 && cpath)
        cache_store(o->cache_dir, cpath, key, out->ptr + before, out->len - before);
    free(cpath);
    rel_buf_free(&input);
    return rc0;
}

/* Run elixir on `input` (the encoded message); append the result. */
static int render(struct rel_buf *out, const struct rel_buf *input, const struct rel_eex_opts *o)
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
    struct rel_buf so = REL_BUF_INIT, se = REL_BUF_INIT;
    char *e_in = rel_asprintf("RELMAN_EEX_INPUT=%s", in_path);
    char *e_out = rel_asprintf("RELMAN_EEX_OUTPUT=%s", out_path);
    char *e_mix = rel_asprintf("MIX_ENV=%s", o->mix_env ? o->mix_env : "prod");
    const char *env[] = {e_in, e_out, e_mix, NULL};
    const char *argv[] = {"elixir", "-e", eex_script, NULL};
    int rc = write_private(in_path, input);
    int status = 0;
    if (rc == 0) {
        struct rel_proc_opts po = {.cwd = o->cwd, .env = env, .out = &so, .err = &se};
        rc = rel_proc_run(&status, argv, &po);
        if (rc < 0)
            rel_error_prefix("%s: cannot render with Elixir's EEx", o->file);
    }
    if (rc == 0 && status != 0) {
        char *line = rel_eex_error_line(se.len ? rel_buf_cstr(&se) : rel_buf_cstr(&so));
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
    rel_buf_free(&so);
    rel_buf_free(&se);
    free(in_path);
    free(out_path);
    free(dir);
    return rc;
}
