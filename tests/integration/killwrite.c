/*
 * A kill -9 right after a RocksDB write, for the crash tests
 * (tests/integration/crash-hub.py): preloaded into citybraind
 * (LD_PRELOAD), it counts the process's rocksdb_write() calls and, when
 * CB_KILLWRITE_AT names one (1 = the first), kills the process with
 * SIGKILL as soon as that write has returned, before the process can do
 * anything that follows it (another write, a reply).  Never installed.
 */
#include "config.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>

#include <rocksdb/c.h>

void
rocksdb_write(rocksdb_t *db, const rocksdb_writeoptions_t *o,
    rocksdb_writebatch_t *wb, char **err)
{
	static void (*real)(rocksdb_t *, const rocksdb_writeoptions_t *,
	    rocksdb_writebatch_t *, char **);
	static long at = -1, n;
	const char *e;

	if (real == NULL) {
		real = (__typeof__(real))dlsym(RTLD_NEXT, "rocksdb_write");
		e = getenv("CB_KILLWRITE_AT");
		at = e != NULL ? atol(e) : 0;
	}
	real(db, o, wb, err);
	/* The hub writes from its loop thread and the store's apply
	 * thread: count atomically. */
	if (at > 0 && __atomic_add_fetch(&n, 1, __ATOMIC_SEQ_CST) == at)
		raise(SIGKILL);
}
