#ifndef KETTE_CPOSTGRES_SHIM_H
#define KETTE_CPOSTGRES_SHIM_H
// Debian's libpq-dev puts the client headers under /usr/include/postgresql; libpq-fe.h finds
// postgres_ext.h beside itself. libpq has no variadic functions, so the shim only names the
// character-literal macros Swift does not import as typed constants.
#include <postgresql/libpq-fe.h>

/// The SQLSTATE field of an error result (PG_DIAG_SQLSTATE, the character 'C').
static inline int kette_pg_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
/// The primary, one-line message of an error result (PG_DIAG_MESSAGE_PRIMARY).
static inline int kette_pg_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }

// The throw-away test clusters start `pg_ctl` with posix_spawn, closing every inherited descriptor
// and changing to `/` in the child. glibc declares these two only under _GNU_SOURCE, which Swift's
// Glibc module is built without; they exist in glibc 2.34 and newer (Debian 12 has 2.36).
#include <spawn.h>
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

#endif
