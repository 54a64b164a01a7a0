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

// MHD_get_connection_info is variadic; the client address is the one field the server reads.
static inline const struct sockaddr *kette_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

// An MHD_OPTION_ARRAY item for MHD_OPTION_NOTIFY_COMPLETED: the callback travels in the integer
// field, which Swift cannot fill with a C function pointer without a bit cast.
static inline struct MHD_OptionItem kette_mhd_option_notify_completed(MHD_RequestCompletedCallback callback,
        void *callback_cls) {
    struct MHD_OptionItem item = { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) callback, callback_cls };
    return item;
}

#endif
