#ifndef MOX_CARCHIVE_SHIM_H
#define MOX_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

#endif
