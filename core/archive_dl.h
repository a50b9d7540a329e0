/*
 * libarchive, loaded the first time a tarball is packed or read.
 *
 * Linking libarchive pulls in libxml2, ICU and libstdc++ (for formats relman
 * never uses), and binding their symbols costs every relman command ~2 ms
 * before main. So core/tarball.c calls libarchive through this table, filled
 * with dlopen/dlsym by rel_archive_load(); the headers still give the types
 * and constants, and the compiler checks every call against them.
 */
#ifndef RELMAN_CORE_ARCHIVE_DL_H
#define RELMAN_CORE_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#define REL_ARCHIVE_FUNCS(X)                                                                       \
    X(archive_entry_clear)                                                                         \
    X(archive_entry_copy_pathname)                                                                 \
    X(archive_entry_filetype)                                                                      \
    X(archive_entry_free)                                                                          \
    X(archive_entry_hardlink)                                                                      \
    X(archive_entry_new)                                                                           \
    X(archive_entry_pathname)                                                                      \
    X(archive_entry_perm)                                                                          \
    X(archive_entry_set_filetype)                                                                  \
    X(archive_entry_set_gid)                                                                       \
    X(archive_entry_set_mtime)                                                                     \
    X(archive_entry_set_perm)                                                                      \
    X(archive_entry_set_size)                                                                      \
    X(archive_entry_set_uid)                                                                       \
    X(archive_entry_size)                                                                          \
    X(archive_entry_size_is_set)                                                                   \
    X(archive_entry_symlink)                                                                       \
    X(archive_error_string)                                                                        \
    X(archive_read_data)                                                                           \
    X(archive_read_data_block)                                                                     \
    X(archive_read_free)                                                                           \
    X(archive_read_new)                                                                            \
    X(archive_read_next_header)                                                                    \
    X(archive_read_open_filename)                                                                  \
    X(archive_read_support_filter_all)                                                             \
    X(archive_read_support_format_tar)                                                             \
    X(archive_write_add_filter_gzip)                                                               \
    X(archive_write_close)                                                                         \
    X(archive_write_data)                                                                          \
    X(archive_write_data_block)                                                                    \
    X(archive_write_disk_new)                                                                      \
    X(archive_write_disk_set_options)                                                              \
    X(archive_write_finish_entry)                                                                  \
    X(archive_write_free)                                                                          \
    X(archive_write_header)                                                                        \
    X(archive_write_new)                                                                           \
    X(archive_write_open_filename)                                                                 \
    X(archive_write_set_filter_option)                                                             \
    X(archive_write_set_format_pax_restricted)

struct rel_archive_api {
#define REL_AR_MEMBER(f) __typeof__(&f) f;
    REL_ARCHIVE_FUNCS(REL_AR_MEMBER)
#undef REL_AR_MEMBER
};

/* Filled by rel_archive_load(); use as AR(archive_read_new)(). */
extern struct rel_archive_api rel_archive;
#define AR(f) (rel_archive.f)

/* Load libarchive once (thread-safe). 0, or REL_EIO naming the library and
 * what the dynamic loader said. */
int rel_archive_load(void);

#endif
