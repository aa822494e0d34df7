#ifndef MOX_CGLIB_SHIM_H
#define MOX_CGLIB_SHIM_H
#include <glib.h>
#endif
