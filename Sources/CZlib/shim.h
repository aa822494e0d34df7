#ifndef MOX_CZLIB_SHIM_H
#define MOX_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 is a macro (it passes the library version and the stream size). */
static inline int mox_deflate_init(z_stream *stream, int level) {
  /* Raw deflate (no zlib or gzip wrapper: the layer writes its own gzip header), 32 KiB window. */
  return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
#endif
