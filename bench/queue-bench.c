/*
 * queue-bench: what the forwarding queue's family costs the disk when a
 * target comes back after an outage.  Records are appended with no trim
 * (the outage: a backlog builds), then appended and trimmed from the
 * front faster than they come (the catch-up) until the backlog is gone,
 * as hub/remote/forward.c does (store_queue_put through the write hook,
 * store_queue_trim for every trim).  It prints the bytes the
 * process wrote to the disk in each phase (/proc/self/io write_bytes:
 * RocksDB's flushes and compactions run in this process) over the bytes
 * appended: the queue's write amplification.
 *
 *   ./bench/queue-bench [--backlog-mib 512] [--record-kib 40]
 *       [--drain 3] [--dir DIR]
 */
#include "config.h"

#include <ftw.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define QPREFIX "remote/q/"
#define QPLEN   (sizeof QPREFIX - 1)

static void
qkey(char k[QPLEN + 8], uint64_t seq)
{
	int i;

	memcpy(k, QPREFIX, QPLEN);
	for (i = 7; i >= 0; i--, seq >>= 8)
		k[QPLEN + i] = (char)(seq & 0xff);
}

/* Bytes this process caused to be written to storage. */
static uint64_t
io_written(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	unsigned long long v = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "write_bytes: %llu", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

static uint64_t du_bytes;

static int
du_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)path, (void)f;
	if (flag == FTW_F)
		du_bytes += (uint64_t)st->st_size;
	return 0;
}

/* Bytes of the files under dir. */
static uint64_t
du(const char *dir)
{
	du_bytes = 0;
	if (nftw(dir, du_one, 16, FTW_PHYS) != 0)
		return 0;
	return du_bytes;
}

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "queue-bench: %s: %s\n", what, cause ? cause : "?");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {{"backlog-mib", 1, NULL, 'b'},
	    {"record-kib", 1, NULL, 'r'}, {"drain", 1, NULL, 'd'},
	    {"dir", 1, NULL, 'D'}, {NULL, 0, NULL, 0}};
	struct store_options o;
	struct store *s;
	char tmpl[] = "/tmp/cb-queue-bench.XXXXXX", *dir = NULL, *cause = NULL;
	char key[QPLEN + 8], *rec;
	size_t backlog_mib = 512, rec_kib = 40, drain = 3, nrec, i;
	uint64_t head = 0, low = 0, w0, w1, w2, appended;
	int64_t t0, t1, t2;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'b':
			backlog_mib = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rec_kib = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			drain = strtoul(optarg, NULL, 10);
			break;
		case 'D':
			dir = optarg;
			break;
		default:
			fprintf(stderr,
			    "usage: queue-bench [--backlog-mib N] "
			    "[--record-kib N] [--drain N] [--dir DIR]\n");
			return 2;
		}
	}
	if (drain < 2 || rec_kib == 0)
		die("options", "--drain must be >= 2, --record-kib > 0");
	if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL)
		die("mkdtemp", "cannot make a directory under /tmp");
	store_options_init(&o);
	o.queue_memtable_bytes = 16u << 20; /* as the hub's forwarding */
	if ((s = store_open(dir, &o, &cause)) == NULL)
		die("open", cause);
	rec = xmalloc(rec_kib << 10);
	for (i = 0; i < rec_kib << 10; i++) /* incompressible, as snappy's */
		rec[i] = (char)(rand() & 0xff);
	nrec = (backlog_mib << 20) / (rec_kib << 10);

	w0 = io_written();
	t0 = clock_mono_ms();
	for (i = 0; i < nrec; i++, head++) {
		qkey(key, head);
		if (store_queue_put(
		        s, key, sizeof key, rec, rec_kib << 10, &cause) != 0)
			die("put", cause);
	}
	w1 = io_written();
	t1 = clock_mono_ms();
	appended = 0;
	while (low < head) {
		qkey(key, head++);
		if (store_queue_put(
		        s, key, sizeof key, rec, rec_kib << 10, &cause) != 0)
			die("put", cause);
		appended += rec_kib << 10;
		low = low + drain < head ? low + drain : head;
		if (store_queue_trim(s, QPREFIX, QPLEN, low, &cause) != 0)
			die("trim", cause);
	}
	w2 = io_written();
	t2 = clock_mono_ms();
	printf("queue_backlog_mib: %zu MiB\n", backlog_mib);
	printf("queue_outage_disk_write_mib: %.1f MiB\n",
	    (double)(w1 - w0) / (1 << 20));
	printf("queue_outage_s: %.2f s\n", (double)(t1 - t0) / 1000);
	printf("queue_drain_appended_mib: %.1f MiB\n",
	    (double)appended / (1 << 20));
	printf("queue_drain_disk_write_mib: %.1f MiB\n",
	    (double)(w2 - w1) / (1 << 20));
	printf("queue_drain_s: %.2f s\n", (double)(t2 - t1) / 1000);
	printf("queue_drain_write_amp: %.2f x\n",
	    (double)(w2 - w1) / (double)(appended ? appended : 1));
	store_close(s);
	printf("queue_dir_mib_after_drain: %.1f MiB\n",
	    (double)du(dir) / (1 << 20));
	free(rec);
	if (dir == tmpl) {
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			fprintf(stderr, "queue-bench: cannot remove %s\n", dir);
		free(cmd);
	}
	return 0;
}
