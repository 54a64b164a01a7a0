#ifndef KETTE_CZLIB_SHIM_H
#define KETTE_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros (they pass the library version and the struct size),
// which Swift does not import: one function each.

// A gzip stream (window bits 15 + 16 asks zlib for the gzip wrapper, not the zlib one).
static inline int kette_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// Reads a gzip stream only (15 + 16): a raw zlib or deflate stream is refused as corrupt.
static inline int kette_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

#endif
