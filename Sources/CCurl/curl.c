#include "shim.h"
#include "CLazy.h"

#define LIBCURL "libcurl.so.4", "libcurl (libcurl4 / libcurl)"

MOX_FORWARD(LIBCURL, CURLcode, curl_global_init, (long flags), (flags))
MOX_FORWARD(LIBCURL, CURL *, curl_easy_init, (void), ())
MOX_FORWARD(LIBCURL, CURLcode, curl_easy_perform, (CURL *curl), (curl))
MOX_FORWARD_VOID(LIBCURL, curl_easy_cleanup, (CURL *curl), (curl))
MOX_FORWARD_VOID(LIBCURL, curl_easy_reset, (CURL *curl), (curl))
MOX_FORWARD(LIBCURL, const char *, curl_easy_strerror, (CURLcode code), (code))

/* The variadic setters and getters, one typed entry per kind of value. */
typedef CURLcode (*variadic)(CURL *, int, ...);
static variadic setopt(void) {
  MOX_LOOKUP(variadic, curl_easy_setopt, LIBCURL)
  return fn;
}
static variadic getinfo(void) {
  MOX_LOOKUP(variadic, curl_easy_getinfo, LIBCURL)
  return fn;
}
CURLcode mox_curl_setopt_long(CURL *c, CURLoption o, long v) { return setopt()(c, o, v); }
CURLcode mox_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return setopt()(c, o, v); }
CURLcode mox_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return setopt()(c, o, v); }
CURLcode mox_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) { return setopt()(c, o, v); }
CURLcode mox_curl_setopt_write(CURL *c, size_t (*f)(char *, size_t, size_t, void *)) {
  return setopt()(c, CURLOPT_WRITEFUNCTION, f);
}
CURLcode mox_curl_setopt_prereq(CURL *c, int (*f)(void *, char *, char *, int, int)) {
  return setopt()(c, CURLOPT_PREREQFUNCTION, f);
}
CURLcode mox_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return getinfo()(c, i, v); }
CURLcode mox_curl_getinfo_off(CURL *c, CURLINFO i, curl_off_t *v) { return getinfo()(c, i, v); }
