#ifndef MOX_CLAZY_H
#define MOX_CLAZY_H
/* Libraries only some commands need (libcurl, libarchive, libcreaterepo_c and all they pull in)
   are not linked: loading them costs every run, `mox check` of local repos included, several
   milliseconds. Each function mox calls is defined by mox itself and forwards to the library,
   which is opened the first time one of its functions is called. */

/* The address of `symbol` in `library` (a soname), opening it once; a library that cannot be
   opened ends the process with exit code 3 (environment), naming it and `package`. */
void *mox_lazy_symbol(const char *library, const char *package, const char *symbol);

/* Defines `name` with the header's own prototype (`params`, `args` as written in a call),
   forwarding to the library's definition, looked up once. `library` is the soname and the
   package to install, as two comma-separated strings. */
#define MOX_FORWARD(library, ret, name, params, args)                                  \
  ret name params {                                                                             \
    static __typeof__(&name) real;                                                              \
    __typeof__(&name) fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);                           \
    if (!fn) {                                                                                  \
      fn = (__typeof__(&name))mox_lazy_symbol(library, #name);                         \
      __atomic_store_n(&real, fn, __ATOMIC_RELEASE);                                            \
    }                                                                                           \
    return fn args;                                                                             \
  }

/* The same for functions returning nothing. */
#define MOX_FORWARD_VOID(library, name, params, args)                                  \
  void name params {                                                                            \
    static __typeof__(&name) real;                                                              \
    __typeof__(&name) fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);                           \
    if (!fn) {                                                                                  \
      fn = (__typeof__(&name))mox_lazy_symbol(library, #name);                         \
      __atomic_store_n(&real, fn, __ATOMIC_RELEASE);                                            \
    }                                                                                           \
    fn args;                                                                                    \
  }
#endif
