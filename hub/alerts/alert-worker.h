/*
 * The alert engine's side of the grid workers (hub/worker/): the tasks a
 * worker sees (alerts of their grids that are dispatched or assigned to
 * them, worst first), the worker's actions on a task (accept, arrive,
 * progress, handled: history and audit with the worker's identity, each
 * client action id applied once), and the operators' "assign" action.
 */
#ifndef CB_HUB_ALERT_WORKER_H
#define CB_HUB_ALERT_WORKER_H

#include <stddef.h>

#include <jansson.h>

struct alert;
struct alert_actor;
struct alert_engine;
struct alert_reply;

/* A worker as the engine sees them: name and grid codes (borrowed). */
struct alert_worker {
	const char *name;
	const char *const *grids;
	size_t ngrids;
};

/* A photo on a progress report, checked by the caller (hub/worker/
 * worker-photo.c: a JPEG or PNG within worker.max_photo_bytes): its
 * SHA-256 (hex), MIME type and size.  save (with arg) writes it where
 * the hub keeps photos; the engine calls it once the action is known to
 * be new and allowed, before recording it: 0, or -1 with *cause (heap).
 * Strings borrowed for the call. */
struct alert_worker_photo {
	const char *sha256, *type;
	size_t bytes;
	int (*save)(void *arg, char **cause);
	void *arg;
};

/* {"tasks": [...]} for w, worst first then oldest first. */
void alert_engine_worker_tasks(struct alert_engine *e,
    const struct alert_worker *w, struct alert_reply *r);
/*
 * w acts on alert id: action "accept", "arrive", "progress" (text
 * required) or "handled"; action_id (may be NULL) is the client's id of
 * the action: an id already applied to the alert answers 200 with
 * "duplicate": true and changes nothing.  who carries the worker's
 * identity for history and audit.  Alerts outside w's tasks are 404.
 * photo (may be NULL; progress only) is saved and linked from the
 * history entry and the audit as {"n", "sha256", "type", "bytes"}, n
 * counting the alert's photos from 1.
 */
void alert_engine_worker_act(struct alert_engine *e,
    const struct alert_worker *w, const char *id, const char *action,
    const char *text, const char *action_id,
    const struct alert_worker_photo *photo, const struct alert_actor *who,
    struct alert_reply *r);
/* Photo n (from 1) of alert id as recorded ({"n", "sha256", "type",
 * "bytes"}, borrowed), or NULL: no such alert or photo, or the alert is
 * outside what the caller may see -- an operator who (alert visible in
 * their scope) or, when who is NULL, grid worker w (alert in their
 * grids). */
json_t *alert_engine_photo(struct alert_engine *e, const char *id, size_t n,
    const struct alert_actor *who, const struct alert_worker *w);
/* Open tasks of w (for listings). */
size_t alert_engine_worker_count(
    struct alert_engine *e, const struct alert_worker *w);

/* The "assign" action of the action table (alert-action.c): body
 * {"worker": NAME, "comment"?}; the worker must exist and the alert lie
 * in one of their grids (env.worker_may). */
void alert_action_assign(struct alert_engine *e, struct alert *a, json_t *body,
    const struct alert_actor *who, struct alert_reply *r);

#endif
