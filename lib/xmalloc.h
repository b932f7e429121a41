/* Allocation wrappers that abort on out-of-memory. */
#ifndef CB_XMALLOC_H
#define CB_XMALLOC_H

#include <stddef.h>

/* Each returns heap memory the caller owns and frees with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), returns_nonnull));

#endif
