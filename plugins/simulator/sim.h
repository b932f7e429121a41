/*
 * The Futian demo simulator's model, behind a small internal interface so
 * that it runs (and is unit-tested) without the collector: the plugin ABI
 * adapter (simulator.c) only turns struct sim_out calls into
 * api->emit_point / api->emit_event.
 *
 * Time: the model runs on simulated time s = t0 + (t - t0) * speed, where
 * t is the wall time in ms and t0 the wall time of the first sim_run().
 * Points are always stamped with wall time t.  Scenario offsets ("at") are
 * in simulated time relative to t0 and may be negative (a storm that began
 * before the demo started, seen in the backfill).
 *
 * Every value is a pure function of (seed, entity, simulated time), so a
 * run is deterministic for a seed and the backfill agrees with live data.
 *
 * Thread safety: none; one struct sim is used from one thread.
 */
#ifndef CB_SIM_H
#define CB_SIM_H

#include <stddef.h>
#include <stdint.h>

/* Same layout as struct cb_tag of <citybrain/plugin.h>. */
struct sim_tag {
	const char *key;
	const char *value;
};

/* Where the model's output goes.  Strings are borrowed for the call. */
struct sim_out {
	void *arg;
	/* One point of series "<measurement>_<field>" at wall time t_ms. */
	void (*point)(void *arg, const char *measurement, const char *field,
	    const struct sim_tag *tags, size_t ntags, double value,
	    int64_t t_ms);
	/* Raise (state "firing") or resolve ("resolved") an event of rule
	 * rule, dispatched to department dept; message_en is the message
	 * in ASCII ({place} in either: the hub fills in the place). */
	void (*event)(void *arg, const char *key, const char *state,
	    const char *severity, const char *rule, const char *dept,
	    const char *message, const char *message_en,
	    const struct sim_tag *labels, size_t nlabels, double value);
	/* A case (a 12345 ticket) of category at grid, with its text and
	 * the source's ticket id ref; may be NULL (no cases sent). */
	void (*kase)(void *arg, const char *category, const char *grid,
	    const char *text, const char *ref);
	/* A log line: level 0 error, 1 warning, 2 info, 3 debug. */
	void (*log)(void *arg, int level, const char *msg);
};

struct sim;

/* Build a simulator from its JSON configuration (see plugins/simulator/
 * README.md); loads the territory and systems files it names.  Returns
 * NULL with *cause set (caller frees) on error. */
struct sim *sim_new(const char *config_json, char **cause);
void sim_free(struct sim *s);

/*
 * Do the work due at wall time now_ms: the first call fixes t0 and plans
 * the backfill; each call then emits one slice of backfill (at most the
 * configured number of grids' full history) or, once the backfill is
 * done, the live snapshot if a step boundary has passed.  Returns the
 * number of points emitted.
 */
size_t sim_run(struct sim *s, int64_t now_ms, const struct sim_out *out);

/* Whether the backfill is finished (live data flows). */
int sim_live(const struct sim *s);

/* Parse a duration: "250ms", "10s", "5m", "2h", "1d", a leading '-' for
 * negative ones, or a bare number of seconds.  0 or -1. */
int sim_duration_parse(const char *str, int64_t *ms);

/* The model's signals at simulated time sim_ms, for tests and the README:
 * look a grid up by code and read one series' value (NAN if the grid has
 * no such series, e.g. metro_passengers without a station). */
double sim_grid_value(
    struct sim *s, const char *grid, const char *metric, int64_t sim_ms);
/* Simulated time at wall time t_ms (after the first sim_run). */
int64_t sim_time(const struct sim *s, int64_t t_ms);

#endif
