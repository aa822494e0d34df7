/* libarchive, loaded on first use: see CLazy.h. */
#include "shim.h"
#include "CLazy.h"

#define LIBARCHIVE "libarchive.so.13", "libarchive (libarchive13 / libarchive)"

MOX_FORWARD(LIBARCHIVE, const char *, archive_error_string, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, struct archive_entry *, archive_entry_new, (void), ())
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_free, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, __LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, const char *, archive_entry_hardlink, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, const char *, archive_entry_pathname, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, __LA_MODE_T, archive_entry_perm, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, la_int64_t, archive_entry_size, (struct archive_entry *e), (e))
MOX_FORWARD(LIBARCHIVE, const char *, archive_entry_symlink, (struct archive_entry *e), (e))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_filetype, (struct archive_entry *e, unsigned int t), (e, t))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_gid, (struct archive_entry *e, la_int64_t g), (e, g))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_uid, (struct archive_entry *e, la_int64_t u), (e, u))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_mtime, (struct archive_entry *e, time_t t, long n), (e, t, n))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_pathname_utf8, (struct archive_entry *e, const char *p), (e, p))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_perm, (struct archive_entry *e, __LA_MODE_T m), (e, m))
MOX_FORWARD_VOID(LIBARCHIVE, archive_entry_set_size, (struct archive_entry *e, la_int64_t s), (e, s))

MOX_FORWARD(LIBARCHIVE, struct archive *, archive_read_new, (void), ())
MOX_FORWARD(LIBARCHIVE, int, archive_read_free, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_support_filter_gzip, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_support_filter_none, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_support_filter_zstd, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_support_format_empty, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_support_format_tar, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_read_open2,
            (struct archive *a, void *data, archive_open_callback *open, archive_read_callback *read,
             archive_skip_callback *skip, archive_close_callback *close),
            (a, data, open, read, skip, close))
MOX_FORWARD(LIBARCHIVE, int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e))
MOX_FORWARD(LIBARCHIVE, int, archive_read_data_block,
            (struct archive *a, const void **buffer, size_t *size, la_int64_t *offset), (a, buffer, size, offset))

MOX_FORWARD(LIBARCHIVE, struct archive *, archive_write_new, (void), ())
MOX_FORWARD(LIBARCHIVE, int, archive_write_free, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_write_close, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_write_set_format_pax_restricted, (struct archive *a), (a))
MOX_FORWARD(LIBARCHIVE, int, archive_write_open2,
            (struct archive *a, void *data, archive_open_callback *open, archive_write_callback *write,
             archive_close_callback *close, archive_free_callback *free),
            (a, data, open, write, close, free))
MOX_FORWARD(LIBARCHIVE, int, archive_write_header, (struct archive *a, struct archive_entry *e), (a, e))
MOX_FORWARD(LIBARCHIVE, la_ssize_t, archive_write_data, (struct archive *a, const void *b, size_t n), (a, b, n))
