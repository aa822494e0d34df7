#ifndef MOX_CCURL_SHIM_H
#define MOX_CCURL_SHIM_H
#include <curl/curl.h>

/* libcurl is loaded on first use (curl.c): see CLazy.h. */

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift needs one typed entry per kind. */
CURLcode mox_curl_setopt_long(CURL *c, CURLoption o, long v);
CURLcode mox_curl_setopt_string(CURL *c, CURLoption o, const char *v);
CURLcode mox_curl_setopt_pointer(CURL *c, CURLoption o, void *v);
CURLcode mox_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v);
CURLcode mox_curl_setopt_write(CURL *c, size_t (*f)(char *, size_t, size_t, void *));
/* Called once the connection (and TLS handshake) is up, before the request is sent. */
CURLcode mox_curl_setopt_prereq(CURL *c, int (*f)(void *, char *, char *, int, int));
/* CURLAUTH_* are macros with casts Swift cannot import. */
static inline long mox_curlauth_any(void) { return (long)CURLAUTH_ANY; }
static inline long mox_curlauth_none(void) { return (long)CURLAUTH_NONE; }
static inline long mox_curlauth_basic(void) { return (long)CURLAUTH_BASIC; }
static inline long mox_curlauth_digest(void) { return (long)CURLAUTH_DIGEST; }
static inline long mox_curlauth_negotiate(void) { return (long)CURLAUTH_NEGOTIATE; }
static inline long mox_curlauth_ntlm(void) { return (long)CURLAUTH_NTLM; }
static inline long mox_curlauth_digest_ie(void) { return (long)CURLAUTH_DIGEST_IE; }
static inline long mox_curlauth_ntlm_wb(void) { return (long)CURLAUTH_NTLM_WB; }
CURLcode mox_curl_getinfo_long(CURL *c, CURLINFO i, long *v);
CURLcode mox_curl_getinfo_off(CURL *c, CURLINFO i, curl_off_t *v);
#endif
