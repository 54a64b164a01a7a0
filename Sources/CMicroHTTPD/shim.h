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

// The same for MHD_OPTION_NOTIFY_CONNECTION: told when a connection opens and when it closes,
// which the header deadline needs (libmicrohttpd's own timeout only counts idle time).
static inline struct MHD_OptionItem kette_mhd_option_notify_connection(MHD_NotifyConnectionCallback callback,
        void *callback_cls) {
    struct MHD_OptionItem item = { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t) callback, callback_cls };
    return item;
}

// MHD_OPTION_URI_LOG_CALLBACK's callback has no typedef in microhttpd.h: it gets the request
// target as the client sent it, before libmicrohttpd decodes it (and would cut it at a NUL), and
// what it returns becomes the request's pointer in the access handler.
typedef void *(*KetteURILogCallback)(void *cls, const char *uri, struct MHD_Connection *connection);

static inline struct MHD_OptionItem kette_mhd_option_uri_log(KetteURILogCallback callback, void *callback_cls) {
    struct MHD_OptionItem item = { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t) callback, callback_cls };
    return item;
}

// The connection's socket, or -1; the header deadline shuts it down from another thread.
static inline int kette_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int) info->connect_fd;
}

// The size of the request's head as received (request line, headers, line ends), or 0.
static inline size_t kette_mhd_request_head_size(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return info == NULL ? 0 : info->header_size;
}

// What the notify-connection callback stored for this connection, or NULL.
static inline void *kette_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

#endif
