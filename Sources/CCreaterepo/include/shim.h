#ifndef MOX_CCREATEREPO_SHIM_H
#define MOX_CCREATEREPO_SHIM_H
#include <createrepo_c/createrepo_c.h>
#endif
