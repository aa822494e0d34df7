#ifndef MOX_CLAZY_H
#define MOX_CLAZY_H
/* Libraries only some commands need (libcurl, libarchive, libcreaterepo_c and all they pull in)
   are not linked: loading them costs every run, `mox check` of local repos included, several
   milliseconds. Each function mox calls is defined by mox itself and forwards to the library,
   which is opened the first time one of its functions is called. */

/* The address of `symbol` in `library` (a soname), opening it once; a library that cannot be
   opened ends the process with exit code 3 (environment), naming it and `package`. */
void *mox_lazy_symbol(const char *library, const char *package, const char *symbol);

/* Declares `fn`, of type `type`: `symbol` of the library (soname, package: the trailing
   arguments), looked up on the first call and kept. */
#define MOX_LOOKUP(type, symbol, ...)                                                           \
  static type real;                                                                             \
  type fn = __atomic_load_n(&real, __ATOMIC_ACQUIRE);                                           \
  if (!fn) {                                                                                    \
    fn = (type)mox_lazy_symbol(__VA_ARGS__, #symbol);                                           \
    __atomic_store_n(&real, fn, __ATOMIC_RELEASE);                                              \
  }

/* Defines `name` with the header's own prototype (`params`, `args` as written in a call),
   forwarding to the library's definition. `library` is the soname and the package to install,
   as two comma-separated strings. */
#define MOX_FORWARD(library, ret, name, params, args)                                           \
  ret name params {                                                                             \
    MOX_LOOKUP(__typeof__(&name), name, library)                                                \
    return fn args;                                                                             \
  }

/* The same for functions returning nothing. */
#define MOX_FORWARD_VOID(library, name, params, args)                                           \
  void name params {                                                                            \
    MOX_LOOKUP(__typeof__(&name), name, library)                                                \
    fn args;                                                                                    \
  }
#endif
