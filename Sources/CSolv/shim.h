#ifndef MOX_CSOLV_SHIM_H
#define MOX_CSOLV_SHIM_H
#include <stdio.h>
#include <stdio_ext.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/repodata.h>
#include <solv/solver.h>
#include <solv/solverdebug.h>
#include <solv/selection.h>
#include <solv/evr.h>
#include <solv/policy.h>
#include <solv/problems.h>
#include <solv/rules.h>
#include <solv/transaction.h>
#include <solv/chksum.h>
#include <solv/bitmap.h>
#include <solv/queue.h>
#include <solv/knownid.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_repomdxml.h>
#include <solv/repo_rpmdb.h>
#include <solv/solv_xfopen.h>
#include <solv/testcase.h>
#include <solv/pool_parserpmrichdep.h>

/* Macros and inline helpers Swift cannot import. */
static inline Solvable *mox_solvable(Pool *pool, Id p) { return pool->solvables + p; }
static inline Id mox_nsolvables(Pool *pool) { return pool->nsolvables; }
static inline Id mox_whatprovides(Pool *pool, Id dep) { return pool_whatprovides(pool, dep); }
static inline Id mox_whatprovidesdata(Pool *pool, Id off) { return pool->whatprovidesdata[off]; }
static inline void mox_map_set(Map *m, Id n) { MAPSET(m, n); }
static inline int mox_map_tst(Map *m, Id n) { return MAPTST(m, n); }
static inline void mox_set_considered(Pool *pool, Map *m) { pool->considered = m; }
/* libsolv reads its input a byte at a time with getc: once a process has threads, glibc takes the
   stream's lock for every byte unless the one thread using the stream says it does the locking. */
static inline FILE *mox_unlocked(FILE *fp) {
  if (fp) __fsetlocking(fp, FSETLOCKING_BYCALLER);
  return fp;
}

/* fopencookie, which the C library declares only for _GNU_SOURCE: the same function under a name of
   our own, with a struct laid out as its cookie_io_functions_t. */
typedef struct {
  ssize_t (*read)(void *cookie, char *buffer, size_t size);
  ssize_t (*write)(void *cookie, const char *buffer, size_t size);
  int (*seek)(void *cookie, long *offset, int whence);
  int (*close)(void *cookie);
} mox_cookie_functions;
extern FILE *mox_fopencookie(void *cookie, const char *mode, mox_cookie_functions functions) __asm__("fopencookie");

/* What the .solv cache keeps: everything resolving and fetching need, none of the long texts. */
static inline int mox_cache_keyfilter(Repo *repo, Repokey *key, void *kfdata) {
  switch (key->name) {
  case SOLVABLE_SUMMARY: case SOLVABLE_DESCRIPTION: case SOLVABLE_PACKAGER: case SOLVABLE_URL:
  case SOLVABLE_GROUP: case SOLVABLE_AUTHORS: case SOLVABLE_CHANGELOG: case SOLVABLE_CHANGELOG_AUTHOR:
  case SOLVABLE_CHANGELOG_TIME: case SOLVABLE_CHANGELOG_TEXT: case SOLVABLE_EULA: case SOLVABLE_MESSAGEINS:
  case SOLVABLE_MESSAGEDEL:
    return KEY_STORAGE_DROPPED;
  default:
    return repo_write_stdkeyfilter(repo, key, kfdata);
  }
}
static inline int mox_repo_write_cache(Repo *repo, FILE *fp) {
  return repo_write_filtered(repo, fp, mox_cache_keyfilter, 0, 0);
}

/* Writes what a repo's main .solv files hold (repodata 1 up to, not including, `repodataend`: no
   filelists extension), with the file provides added to its packages since they were loaded. */
static inline int mox_repo_write_main(Repo *repo, int repodataend, FILE *fp) {
  Repowriter *writer = repowriter_create(repo);
  repowriter_set_repodatarange(writer, 1, repodataend);
  repowriter_set_keyfilter(writer, mox_cache_keyfilter, 0);
  int rc = repowriter_write(writer, fp);
  repowriter_free(writer);
  return rc;
}

/* The file dependencies whose providers a repo's .solv says it already holds, as libdnf stores
   them (REPOSITORY_ADDEDFILEPROVIDES); 0 when it says nothing. */
static inline int mox_repo_added_fileprovides(Repo *repo, Queue *q) {
  queue_empty(q);
  return repo_lookup_idarray(repo, SOLVID_META, REPOSITORY_ADDEDFILEPROVIDES, q);
}

/* Records in a repo's first data area which file dependencies its packages' provides answer. */
static inline void mox_repo_set_added_fileprovides(Repo *repo, Queue *q) {
  Repodata *data = repo_id2repodata(repo, 1);
  if (!data) return;
  repodata_set_idarray(data, SOLVID_META, REPOSITORY_ADDEDFILEPROVIDES, q);
  repodata_internalize(data);
}

/* Of `files`, those no package provides (by name, whatever the version), without building the
   whatprovides index: the packages it would index (whatever `considered` says) are searched. */
static inline void mox_unprovided(Pool *pool, Queue *files, Queue *out) {
  Map provided;
  map_init(&provided, pool->ss.nstrings);
  for (Id p = 2; p < pool->nsolvables; p++) {
    Solvable *s = pool->solvables + p;
    if (!s->repo || !s->provides || s->repo->disabled) continue;
    if (s->repo != pool->installed && (s->arch == ARCH_SRC || s->arch == ARCH_NOSRC
        || (pool->id2arch && (!s->arch || pool_arch2score(pool, s->arch) == 0)))) continue;
    for (Id *dp = s->repo->idarraydata + s->provides; *dp; dp++) {
      Id dep = *dp;
      while (ISRELDEP(dep)) dep = GETRELDEP(pool, dep)->name;
      if (dep < pool->ss.nstrings) MAPSET(&provided, dep);
    }
  }
  queue_empty(out);
  for (int i = 0; i < files->count; i++)
    if (files->elements[i] >= pool->ss.nstrings || !MAPTST(&provided, files->elements[i]))
      queue_push(out, files->elements[i]);
  map_free(&provided);
}
#endif
