/*
 * The alerts module's door (hub/alerts/): everything the rest of the hub
 * (server.c, main.c, quality/, worker/, ...) may use of it.  Files
 * outside hub/alerts/ include only this header; the module's own white-box
 * unit tests and benchmarks (tests/, bench/) may reach further in.
 * tests/integration/t-alerts-layers.sh keeps it so.
 *
 *   alert-engine.h  the engine's API (alerts, events, silences, audit
 *                   notes, counts) and citybraind's glue (hub_alerts_*)
 *   alert-rules.h   the rules model (read by the data-quality pages)
 *   alert-worker.h  the grid workers' side (tasks, their actions)
 *   handover.h      shifts and the shift handover note
 *   route-alerts.h  the route tables and the actor of a request
 *   case.h          cases (reported work routed by category) and routes
 *   report.h        the response report (accountability) and its route
 *
 * Inside, the layers point one way: the engine (alert-engine.c: the
 * alerts in memory, persistence, transitions, notifications) knows
 * nothing of rule evaluation (alert-eval.c) or listing and counting
 * (alert-list.c); those two use the engine and not each other.
 */
#ifndef CB_HUB_ALERTS_H
#define CB_HUB_ALERTS_H

#include "hub/alerts/alert-engine.h"
#include "hub/alerts/alert-rules.h"
#include "hub/alerts/alert-worker.h"
#include "hub/alerts/case.h"
#include "hub/alerts/handover.h"
#include "hub/alerts/report.h"
#include "hub/alerts/route-alerts.h"

#endif
