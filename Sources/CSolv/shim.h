#ifndef MOX_CSOLV_SHIM_H
#define MOX_CSOLV_SHIM_H
#include <stdio.h>
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
#endif
