#ifndef KETTE_CMICROHTTPD_SHIM_H
#define KETTE_CMICROHTTPD_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

// MHD_start_daemon is variadic: all options travel through one MHD_OPTION_ARRAY.
static inline struct MHD_Daemon *kette_mhd_start_daemon(unsigned int flags, uint16_t port,
        MHD_AccessHandlerCallback handler, void *handler_cls, const struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

#endif
