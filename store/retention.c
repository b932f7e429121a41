/*
 * Retention: each tier's keys start with their period number, so dropping
 * everything older than a cut is one DeleteRange per tier (plus dropping
 * whole SST files at once), never a scan.
 */
#include "config.h"

#include <stdlib.h>

#include "lib/xmalloc.h"
#include "store/store-int.h"

int
store_retention_run(struct store *s, int64_t now_ms, char **cause)
{
	const struct {
		enum store_cf cf;
		int64_t keep, period;
	} tiers[] = {
	    {STORE_CF_CHUNKS, s->opts.retention_raw_ms, STORE_HOUR_MS},
	    {STORE_CF_ROLLUP_M, s->opts.retention_minute_ms, STORE_HOUR_MS},
	    {STORE_CF_ROLLUP_H, s->opts.retention_hour_ms, STORE_DAY_MS},
	};
	int64_t hour = now_ms / STORE_HOUR_MS, cut;
	uint8_t lo[4] = {0, 0, 0, 0}, hi[4];
	char *err = NULL;
	size_t i;

	if (hour == s->retention_done)
		return 0;
	s->retention_done = hour;
	for (i = 0; i < sizeof tiers / sizeof tiers[0]; i++) {
		if (tiers[i].keep == 0 || now_ms <= tiers[i].keep)
			continue;
		/* Whole periods that ended before now - keep. */
		cut = (now_ms - tiers[i].keep) / tiers[i].period;
		if (cut <= 0)
			continue;
		key_put32(hi, (uint32_t)cut);
		rocksdb_delete_range_cf(s->db, s->wo_lazy, s->cf[tiers[i].cf],
		    (const char *)lo, 4, (const char *)hi, 4, &err);
		if (err == NULL)
			rocksdb_delete_file_in_range_cf(s->db,
			    s->cf[tiers[i].cf], (const char *)lo, 4,
			    (const char *)hi, 4, &err);
		if (err != NULL) {
			if (cause != NULL)
				*cause = xasprintf("%s: retention of %s: %s",
				    s->dir, store_cf_name(tiers[i].cf), err);
			free(err);
			return -1;
		}
	}
	return 0;
}
