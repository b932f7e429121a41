/* host input: CPU, load, memory, disk and network of this machine, from
 * /proc and statvfs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "collectors/collector.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/xmalloc.h"

struct host_conf {
	struct input_conf base;
	char **mounts;
	char *proc;
};

struct host_state {
	char **mounts; /* owned */
	char *proc;    /* "/proc" (tests point elsewhere) */
	unsigned long long prev_total, prev_idle, prev_iowait;
};

static const struct conf_field host_fields[] = {
    {.key = "mounts",
        .type = CONF_STRARRAY,
        .offset = offsetof(struct host_conf, mounts)},
    {.key = "proc",
        .type = CONF_STRING,
        .offset = offsetof(struct host_conf, proc)},
    {.key = NULL},
};

static int
host_init(struct input *in, void *conf, char **cause)
{
	struct host_conf *hc = conf;
	struct host_state *hs = xcalloc(1, sizeof *hs);

	if (hc->mounts != NULL) {
		hs->mounts = hc->mounts;
		hc->mounts = NULL;
	} else {
		hs->mounts = xcalloc(2, sizeof *hs->mounts);
		hs->mounts[0] = xstrdup("/");
	}
	hs->proc = hc->proc != NULL ? hc->proc : xstrdup("/proc");
	hc->proc = NULL;
	in->priv = hs;
	return 0;
}

static FILE *
host_open(struct host_state *hs, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", hs->proc, name);
	return fopen(path, "r");
}

static int
host_cpu(struct input *in, struct host_state *hs, int64_t now)
{
	unsigned long long v[10] = {0}, total = 0, idle, iowait, dt;
	struct lp_writer *w;
	FILE *f;
	int n, i;

	if ((f = host_open(hs, "stat")) == NULL)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
	    &v[9]);
	fclose(f);
	if (n < 4)
		return -1;
	/* guest time is already in user/nice */
	for (i = 0; i < n && i < 8; i++)
		total += v[i];
	idle = v[3];
	iowait = n > 4 ? v[4] : 0;
	dt = total - hs->prev_total;
	if (hs->prev_total != 0 && dt > 0) {
		w = collector_line_begin(in->c, in, "host_cpu");
		lp_writer_float(w, "usage_pct",
		    100.0 *
		        (double)(dt - (idle - hs->prev_idle) -
		                 (iowait - hs->prev_iowait)) /
		        (double)dt);
		lp_writer_float(w, "iowait_pct",
		    100.0 * (double)(iowait - hs->prev_iowait) / (double)dt);
		collector_line_end(in->c, now);
	}
	hs->prev_total = total;
	hs->prev_idle = idle;
	hs->prev_iowait = iowait;
	return 0;
}

static int
host_load(struct input *in, struct host_state *hs, int64_t now)
{
	struct lp_writer *w;
	double l1, l5, l15;
	FILE *f;
	int n;

	if ((f = host_open(hs, "loadavg")) == NULL)
		return -1;
	n = fscanf(f, "%lf %lf %lf", &l1, &l5, &l15);
	fclose(f);
	if (n != 3)
		return -1;
	w = collector_line_begin(in->c, in, "host_load");
	lp_writer_float(w, "load1", l1);
	lp_writer_float(w, "load5", l5);
	lp_writer_float(w, "load15", l15);
	collector_line_end(in->c, now);
	return 0;
}

static int
host_mem(struct input *in, struct host_state *hs, int64_t now)
{
	unsigned long long total = 0, avail = 0, swt = 0, swf = 0, v;
	struct lp_writer *w;
	char line[256], key[64];
	FILE *f;

	if ((f = host_open(hs, "meminfo")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		if (strcmp(key, "MemTotal") == 0)
			total = v * 1024;
		else if (strcmp(key, "MemAvailable") == 0)
			avail = v * 1024;
		else if (strcmp(key, "SwapTotal") == 0)
			swt = v * 1024;
		else if (strcmp(key, "SwapFree") == 0)
			swf = v * 1024;
	}
	fclose(f);
	if (total == 0)
		return -1;
	w = collector_line_begin(in->c, in, "host_mem");
	lp_writer_uint(w, "total_bytes", total);
	lp_writer_uint(w, "available_bytes", avail);
	lp_writer_float(
	    w, "used_pct", 100.0 * (double)(total - avail) / (double)total);
	lp_writer_uint(w, "swap_used_bytes", swt - swf);
	collector_line_end(in->c, now);
	return 0;
}

static int
host_disk(struct input *in, struct host_state *hs, int64_t now)
{
	struct statvfs sv;
	struct lp_writer *w;
	size_t i;
	double total, avail;
	int r = 0;

	for (i = 0; hs->mounts[i] != NULL; i++) {
		if (statvfs(hs->mounts[i], &sv) != 0) {
			r = -1;
			continue;
		}
		total = (double)sv.f_blocks * (double)sv.f_frsize;
		avail = (double)sv.f_bavail * (double)sv.f_frsize;
		w = collector_line_begin(in->c, in, "host_disk");
		lp_writer_tag(w, "mount", hs->mounts[i]);
		lp_writer_float(w, "total_bytes", total);
		lp_writer_float(w, "free_bytes", avail);
		if (total > 0)
			lp_writer_float(
			    w, "used_pct", 100.0 * (total - avail) / total);
		collector_line_end(in->c, now);
	}
	return r;
}

static int
host_net(struct input *in, struct host_state *hs, int64_t now)
{
	unsigned long long rx, rxp, rxe, tx, txp, txe, skip;
	struct lp_writer *w;
	char line[512], name[64];
	FILE *f;

	if ((f = host_open(hs, "net/dev")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		char *colon = strchr(line, ':');

		if (colon == NULL)
			continue;
		*colon = ' ';
		if (sscanf(line,
		        " %63s %llu %llu %llu %llu %llu %llu %llu %llu "
		        "%llu %llu %llu",
		        name, &rx, &rxp, &rxe, &skip, &skip, &skip, &skip,
		        &skip, &tx, &txp, &txe) != 12 ||
		    strcmp(name, "lo") == 0)
			continue;
		w = collector_line_begin(in->c, in, "host_net");
		lp_writer_tag(w, "iface", name);
		lp_writer_uint(w, "rx_bytes", rx);
		lp_writer_uint(w, "tx_bytes", tx);
		lp_writer_uint(w, "rx_errors", rxe);
		lp_writer_uint(w, "tx_errors", txe);
		collector_line_end(in->c, now);
	}
	fclose(f);
	return 0;
}

static void
host_run(struct input *in)
{
	struct host_state *hs = in->priv;
	int64_t now = clock_wall_ms();
	int bad = 0;

	bad |= host_cpu(in, hs, now) != 0;
	bad |= host_load(in, hs, now) != 0;
	bad |= host_mem(in, hs, now) != 0;
	bad |= host_disk(in, hs, now) != 0;
	bad |= host_net(in, hs, now) != 0;
	if (bad)
		input_error(in, "some host figures could not be read");
	input_done(in, !bad);
}

static void
host_free(struct input *in)
{
	struct host_state *hs = in->priv;

	if (hs == NULL)
		return;
	conf_strarray_free(hs->mounts);
	free(hs->proc);
	free(hs);
	in->priv = NULL;
}

const struct input_ops input_host_ops = {
    .type = "host",
    .conf_size = sizeof(struct host_conf),
    .fields = host_fields,
    .init = host_init,
    .run = host_run,
    .free = host_free,
};
