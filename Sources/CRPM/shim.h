#ifndef MOX_CRPM_SHIM_H
#define MOX_CRPM_SHIM_H
#include <rpm/rpmlib.h>
#include <rpm/rpmts.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmmacro.h>
#include <rpm/header.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmio.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmcli.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmstrpool.h>

/* RPMLOG_UPTO is a macro: the mask that lets `level` and everything more severe through. */
static inline int mox_rpm_log_upto(int level) { return RPMLOG_UPTO(RPMLOG_PRI(level)); }
#endif
