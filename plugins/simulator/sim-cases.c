/*
 * 12345 tickets as cases (issue 17): while a hotline_surge scenario is
 * active, one ticket of its subdistrict every SIM_CASE_EVERY of simulated
 * time becomes a case (sim_out.kase: POST /api/v1/cases through the
 * collector), in a grid and of a category picked from the seed, so the
 * hub routes most of them by category at once and queues the rest for the
 * dispatch desk.  The n-th ticket of a scenario always has the same ref,
 * so a restarted simulator resends, not duplicates, them.
 */
#include "config.h"

#include <stdio.h>

#include "plugins/simulator/sim-int.h"

#define SIM_CASE_EVERY   (30 * 1000LL) /* simulated ms between tickets */
#define SIM_CASE_PER_RUN 20            /* at most, per call (catching up) */

/* Category (id, name or code of conf/futian/rules.json's
 * "case_categories"; "其他" is none: queued) and what the caller said. */
static const struct {
	const char *category, *text;
} sim_case_kinds[] = {
    {"10020033", "人行道水果摊占道经营 (street vending on the pavement)"},
    {"housing", "楼上渗水，物业未处理 (water leaking from upstairs)"},
    {"traffic", "路口车辆乱停放 (cars parked across the crossing)"},
    {"environment", "夜间施工噪音扰民 (construction noise at night)"},
    {"10160005", "安全出口被杂物堵塞 (fire exit blocked by clutter)"},
    {"其他", "咨询社保办理流程 (a question about social insurance)"},
    {"public-order", "深夜聚集喧哗 (a noisy crowd late at night)"},
    {"10130154", "无证照小作坊经营 (an unlicensed workshop)"},
};
#define SIM_CASE_KINDS (sizeof sim_case_kinds / sizeof sim_case_kinds[0])

/* The grid of ticket n of scenario sc: one of its subdistrict's. */
static int
sim_case_grid(const struct sim *s, const struct sim_scen *sc, int n)
{
	size_t g, k = 0, pick;

	for (g = 0; g < s->ngrids; g++)
		k += s->grids[g].sub == sc->sub;
	if (k == 0)
		return -1;
	pick =
	    (size_t)(sim_rand(s->seed, 0xca5e, (uint64_t)sc->at, (uint64_t)n) *
	             (double)k);
	for (g = 0; g < s->ngrids; g++) {
		if (s->grids[g].sub == sc->sub && pick-- == 0)
			return (int)g;
	}
	return -1;
}

void
sim_cases(struct sim *s, int64_t t, const struct sim_out *out)
{
	int64_t off = sim_time(s, t) - s->t0, upto;
	char text[384], ref[96];
	size_t i, kind;
	int due, sent, g;

	if (out->kase == NULL)
		return;
	for (i = 0; i < s->nscens; i++) {
		struct sim_scen *sc = &s->scens[i];

		if (sc->type != SIM_HOTLINE || sc->sub < 0 || off < sc->at)
			continue;
		upto = off < sc->at + sc->dur ? off : sc->at + sc->dur;
		due = (int)((upto - sc->at) / SIM_CASE_EVERY) + 1;
		for (sent = 0; sc->ncases < due && sent < SIM_CASE_PER_RUN;
		     sent++, sc->ncases++) {
			if ((g = sim_case_grid(s, sc, sc->ncases)) < 0)
				break;
			kind =
			    (size_t)(sim_rand(s->seed, 0xca5f, (uint64_t)sc->at,
			                 (uint64_t)sc->ncases) *
			             SIM_CASE_KINDS);
			if (kind >= SIM_CASE_KINDS)
				kind = 0;
			snprintf(text, sizeof text, "12345 来电：%s %s",
			    s->grids[g].name, sim_case_kinds[kind].text);
			snprintf(
			    ref, sizeof ref, "%s-%d", sc->name, sc->ncases + 1);
			out->kase(out->arg, sim_case_kinds[kind].category,
			    s->grids[g].code, text, ref);
		}
	}
}
