#ifndef MOX_CARCHIVE_SHIM_H
#define MOX_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
/* Swaps two paths atomically (renameat2 RENAME_EXCHANGE), for publishing an image layout in one step.
   glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module is not built with. */
static inline int mox_exchange_paths(const char *a, const char *b) {
#ifdef SYS_renameat2
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 1u << 1 /* RENAME_EXCHANGE */);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#endif
#endif
