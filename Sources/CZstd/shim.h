#ifndef MOX_CZSTD_SHIM_H
#define MOX_CZSTD_SHIM_H
#include <zstd.h>
#endif
