#include "path.h"

#include "alloc.h"
#include "buf.h"

#include <stdlib.h>
#include <string.h>

int rel_path_join(struct rel_buf *out, const char *a, const char *b)
{
    if (b[0] == '/' || a[0] == '\0')
        return rel_buf_puts(out, b);
    size_t alen = strlen(a);
    while (alen > 1 && a[alen - 1] == '/')
        alen--;
    int rc = rel_buf_put(out, a, alen);
    if (rc == 0 && !(alen == 1 && a[0] == '/') && b[0] != '\0')
        rc = rel_buf_putc(out, '/');
    if (rc == 0)
        rc = rel_buf_puts(out, b);
    return rc;
}

char *rel_path_join2(const char *a, const char *b)
{
    struct rel_buf out = REL_BUF_INIT;
    rel_path_join(&out, a, b);
    return rel_buf_detach(&out);
}

char *rel_path_normalize(const char *path)
{
    bool abs = path[0] == '/';
    size_t n = strlen(path);
    /* Components are kept as (offset, length) into `path`. */
    size_t *off = rel_calloc(n / 2 + 2, sizeof(*off));
    size_t *len = rel_calloc(n / 2 + 2, sizeof(*len));
    size_t depth = 0;
    size_t ups = 0; /* leading ".." components kept in a relative path */
    for (size_t i = 0; i < n;) {
        while (i < n && path[i] == '/')
            i++;
        size_t s = i;
        while (i < n && path[i] != '/')
            i++;
        size_t l = i - s;
        if (l == 0 || (l == 1 && path[s] == '.'))
            continue;
        if (l == 2 && path[s] == '.' && path[s + 1] == '.') {
            if (depth > ups) {
                depth--;
                continue;
            }
            if (abs)
                continue;
            ups++;
        }
        off[depth] = s;
        len[depth] = l;
        depth++;
    }
    struct rel_buf out = REL_BUF_INIT;
    if (abs)
        rel_buf_putc(&out, '/');
    for (size_t k = 0; k < depth; k++) {
        if (k > 0)
            rel_buf_putc(&out, '/');
        rel_buf_put(&out, path + off[k], len[k]);
    }
    if (out.len == 0)
        rel_buf_putc(&out, '.');
    free(off);
    free(len);
    return rel_buf_detach(&out);
}

bool rel_path_is_safe_relative(const char *path)
{
    if (!path || !path[0] || path[0] == '/')
        return false;
    char *copy = rel_path_normalize(path);
    bool ok = strcmp(copy, ".") != 0 && strcmp(copy, "..") != 0 && strncmp(copy, "../", 3) != 0;
    free(copy);
    return ok;
}

char *rel_path_dirname(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0)
        return rel_strdup(".");
    while (n > 1 && path[n - 1] == '/')
        n--;
    return rel_strndup(path, n);
}

char *rel_path_basename(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    if (n == 1 && path[0] == '/')
        return rel_strdup("/");
    size_t start = n;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return rel_strndup(path + start, n - start);
}
