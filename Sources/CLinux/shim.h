#ifndef MOX_CLINUX_SHIM_H
#define MOX_CLINUX_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>

/* Swaps two paths in one step (renameat2 RENAME_EXCHANGE, Linux 3.15+), so a published directory
   is never missing. glibc declares renameat2 only under _GNU_SOURCE, which Swift's Glibc module is
   not built with; the raw system call needs no declaration. */
static inline int mox_exchange(const char *a, const char *b) {
#ifdef SYS_renameat2
  return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 1u << 1 /* RENAME_EXCHANGE */);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/* Shares the source file's blocks with the destination (btrfs, xfs): ioctl is variadic. */
static inline int mox_reflink(int dst, int src) { return ioctl(dst, FICLONE, src); }

/* Starts writing a range of a file to disk without waiting (sync_file_range SYNC_FILE_RANGE_WRITE),
   so a large file being written is mostly on disk by the time it is synced. Declared by glibc only
   under _GNU_SOURCE, hence the raw system call. */
static inline int mox_start_writeback(int fd, long long offset, long long length) {
#ifdef SYS_sync_file_range
  return (int)syscall(SYS_sync_file_range, fd, offset, length, 2u /* SYNC_FILE_RANGE_WRITE */);
#else
  errno = ENOSYS;
  return -1;
#endif
}
#endif
