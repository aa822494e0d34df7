#include "CLazy.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libraries opened so far, by soname (a handful: a list will do). */
static struct { const char *library; void *handle; } opened[8];
static int count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *mox_lazy_symbol(const char *library, const char *package, const char *symbol) {
  pthread_mutex_lock(&lock);
  void *handle = NULL;
  for (int i = 0; i < count; i++)
    if (strcmp(opened[i].library, library) == 0) handle = opened[i].handle;
  if (!handle) {
    handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      fprintf(stderr, "mox: error: cannot load %s (%s); install %s\n", library, dlerror(), package);
      exit(3);
    }
    if (count < (int)(sizeof opened / sizeof opened[0])) {
      opened[count].library = library;
      opened[count].handle = handle;
      count++;
    }
  }
  pthread_mutex_unlock(&lock);
  void *address = dlsym(handle, symbol);
  if (!address) {
    fprintf(stderr, "mox: error: %s has no %s (%s); install the %s this mox was built against\n", library, symbol,
            dlerror(), package);
    exit(3);
  }
  return address;
}
