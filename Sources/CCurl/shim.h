#ifndef KETTE_CCURL_SHIM_H
#define KETTE_CCURL_SHIM_H
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

// libcurl is loaded with dlopen on first use, not linked: it brings about thirty shared
// libraries (GnuTLS or OpenSSL, Kerberos, LDAP, SSH, IDN, compression) whose loading and
// constructors cost every `kette` command about 5 ms of CPU at start, and only `sync`, `verify`
// and `remote` talk to a server. Every call goes through the table below; `kette_curl_load_error`
// says why the library could not be loaded (the .deb depends on libcurl4 by name).

typedef struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    const char *error;  // NULL once every function above was found
} kette_curl_library;

// The one table of the process's module. Function-local statics: Swift's importer emits the
// inline functions it calls, with their statics, but not a header's file-scope variables.
static inline kette_curl_library *kette_curl_table(void) {
    static kette_curl_library table;
    return &table;
}

static void kette_curl_load(void) {
    kette_curl_library *loaded = kette_curl_table();
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) { loaded->error = dlerror(); return; }
    // dlsym returns void *; POSIX guarantees it converts to a function pointer.
    *(void **)&loaded->global_init = dlsym(library, "curl_global_init");
    *(void **)&loaded->easy_init = dlsym(library, "curl_easy_init");
    *(void **)&loaded->easy_cleanup = dlsym(library, "curl_easy_cleanup");
    *(void **)&loaded->easy_reset = dlsym(library, "curl_easy_reset");
    *(void **)&loaded->easy_perform = dlsym(library, "curl_easy_perform");
    *(void **)&loaded->easy_strerror = dlsym(library, "curl_easy_strerror");
    *(void **)&loaded->easy_setopt = dlsym(library, "curl_easy_setopt");
    *(void **)&loaded->easy_getinfo = dlsym(library, "curl_easy_getinfo");
    *(void **)&loaded->slist_append = dlsym(library, "curl_slist_append");
    *(void **)&loaded->slist_free_all = dlsym(library, "curl_slist_free_all");
    if (!loaded->global_init || !loaded->easy_init || !loaded->easy_cleanup || !loaded->easy_reset ||
        !loaded->easy_perform || !loaded->easy_strerror || !loaded->easy_setopt ||
        !loaded->easy_getinfo || !loaded->slist_append || !loaded->slist_free_all) {
        loaded->error = "libcurl.so.4 lacks a function Kette uses";
    }
}

static inline const kette_curl_library *kette_curl(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, kette_curl_load);
    return kette_curl_table();
}

// Why libcurl cannot be used, or NULL. Call before anything else below: they assume it loaded.
static inline const char *kette_curl_load_error(void) { return kette_curl()->error; }

// CURL_GLOBAL_ALL is a macro expression Swift does not import.
static inline CURLcode kette_curl_global_init_all(void) { return kette_curl()->global_init(CURL_GLOBAL_ALL); }
static inline CURL *kette_curl_easy_init(void) { return kette_curl()->easy_init(); }
static inline void kette_curl_easy_cleanup(CURL *h) { kette_curl()->easy_cleanup(h); }
// Clears every option but keeps the handle's open connections and TLS sessions for the next request.
static inline void kette_curl_easy_reset(CURL *h) { kette_curl()->easy_reset(h); }
static inline CURLcode kette_curl_easy_perform(CURL *h) { return kette_curl()->easy_perform(h); }
static inline const char *kette_curl_easy_strerror(CURLcode code) { return kette_curl()->easy_strerror(code); }
static inline struct curl_slist *kette_curl_slist_append(struct curl_slist *list, const char *line) {
    return kette_curl()->slist_append(list, line);
}
static inline void kette_curl_slist_free_all(struct curl_slist *list) { kette_curl()->slist_free_all(list); }

// curl_easy_setopt and curl_easy_getinfo are variadic: one fixed-arity wrapper per argument type.
static inline CURLcode kette_curl_setopt_long(CURL *h, CURLoption o, long v) { return kette_curl()->easy_setopt(h, o, v); }
static inline CURLcode kette_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return kette_curl()->easy_setopt(h, o, v); }
static inline CURLcode kette_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return kette_curl()->easy_setopt(h, o, v); }
static inline CURLcode kette_curl_setopt_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return kette_curl()->easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode kette_curl_setopt_header(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return kette_curl()->easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLcode kette_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return kette_curl()->easy_getinfo(h, i, v); }

// Allows http and https only, for the request and for any redirect. CURLOPT_PROTOCOLS (a bit mask)
// is deprecated since 7.85 in favour of the string form; pick whichever this libcurl has.
static inline CURLcode kette_curl_restrict_to_http(CURL *h) {
#if LIBCURL_VERSION_NUM >= 0x075500
    CURLcode code = kette_curl()->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (code != CURLE_OK) return code;
    return kette_curl()->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    CURLcode code = kette_curl()->easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    if (code != CURLE_OK) return code;
    return kette_curl()->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
}

#endif
