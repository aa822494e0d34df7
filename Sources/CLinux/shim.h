#ifndef MOX_CLINUX_SHIM_H
#define MOX_CLINUX_SHIM_H
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

/* glibc declares renameat2 only under _GNU_SOURCE, which a module header cannot rely on. */
extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/* Swaps two paths in one step (Linux 3.15+): a published directory is never missing. */
static inline int mox_exchange(const char *a, const char *b) {
  return renameat2(AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE; 1 would be RENAME_NOREPLACE */);
}

/* Shares the source file's blocks with the destination (btrfs, xfs): ioctl is variadic. */
static inline int mox_reflink(int dst, int src) { return ioctl(dst, FICLONE, src); }
#endif
