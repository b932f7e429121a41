/*
 * store-replay-bench: a collector's spool replayed after an outage.
 *
 * N series (default 1,000) get one point every 10 s for 3 h, except the
 * last M minutes (the outage, default 10); then one live tick arrives
 * after the outage, and the spooled points are replayed oldest first in
 * batches of 5,000, as the collector sends them.  Prints
 *   replay_points_per_s   replayed points / wall time in store_write()
 *   replay_accepted       replayed points the store took (all of them)
 *
 * Usage: store-replay-bench [--series N] [--outage MINUTES] [--dir DIR]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/xmalloc.h"
#include "store/store.h"

#define HOUR  3600000LL
#define BATCH 5000

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "store-replay-bench: %s: %s\n", what, cause);
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"series", required_argument, NULL, 'n'},
	    {"outage", required_argument, NULL, 'o'},
	    {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct store_options so;
	struct store_write_result wr;
	struct store *s;
	char tmpl[] = "/tmp/store-replay-bench-XXXXXX", *dir = NULL;
	char key[64], *cause = NULL, *cmd;
	uint32_t *ids, bid[BATCH];
	int64_t t0, bts[BATCH], start, ns = 0;
	double bvs[BATCH];
	size_t n = 0, total = 0, accepted = 0;
	int nser = 1000, outage = 10, ticks = 3 * 360, gap, i, k, ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			nser = atoi(optarg);
			break;
		case 'o':
			outage = atoi(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("Usage: store-replay-bench [--series N] "
			       "[--outage MINUTES] [--dir DIR]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (nser < 1 || nser > BATCH || outage < 1 || outage > 170)
		die("options", "--series 1-5000, --outage 1-170");
	if (dir == NULL) {
		if (mkdtemp(tmpl) == NULL)
			die("mkdtemp", "failed");
		dir = tmpl;
	}
	store_options_init(&so);
	cmd = xasprintf("%s/store", dir);
	if ((s = store_open(cmd, &so, &cause)) == NULL)
		die("store_open", cause);
	free(cmd);
	ids = xcalloc(nser, sizeof *ids);
	for (i = 0; i < nser; i++) {
		snprintf(key, sizeof key, "m{grid=\"%d\"}", i);
		if (store_series_intern(s, key, strlen(key), &ids[i], &cause) !=
		    0)
			die("intern", cause);
	}
	t0 = (clock_wall_ms() / HOUR - 4) * HOUR;
	gap = ticks - outage * 6;
	/* Live ticks up to the outage, then the first one after it. */
	for (k = 0; k <= ticks; k++) {
		if (k >= gap && k < ticks)
			continue;
		for (i = 0; i < nser; i++) {
			bid[i] = ids[i];
			bts[i] = t0 + k * 10000LL;
			bvs[i] = (double)((i + k) % 50) / 10;
		}
		if (store_write(s, bid, bts, bvs, nser, NULL, &cause) != 0)
			die("write", cause);
	}
	/* The spool, oldest first. */
	for (k = gap; k < ticks; k++) {
		for (i = 0; i < nser; i++) {
			bid[n] = ids[i];
			bts[n] = t0 + k * 10000LL;
			bvs[n] = (double)((i + k) % 50) / 10;
			if (++n < BATCH && !(k == ticks - 1 && i == nser - 1))
				continue;
			start = clock_mono_ns();
			if (store_write(s, bid, bts, bvs, n, &wr, &cause) != 0)
				die("replay", cause);
			ns += clock_mono_ns() - start;
			total += n;
			accepted += wr.accepted;
			n = 0;
		}
	}
	printf("replay_points_per_s: %.0f points/s\n",
	    (double)total / ((double)ns / 1e9));
	printf("replay_accepted: %zu of %zu points\n", accepted, total);
	store_close(s);
	cmd = xasprintf("rm -rf '%s/store'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "store-replay-bench: could not remove\n");
	free(cmd);
	if (dir == tmpl)
		rmdir(dir);
	free(ids);
	return 0;
}
