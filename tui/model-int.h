/* Private JSON helpers shared by tui/model.c and tui/model-more.c. */
#ifndef CB_TUI_MODEL_INT_H
#define CB_TUI_MODEL_INT_H

#include <jansson.h>

#include "lib/xmalloc.h"
#include "tui/model.h"

/* ---- JSON helpers ------------------------------------------------------ */

static inline const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static inline double
jnum(json_t *o, const char *key, double def)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

static inline long long
jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}

static inline int
jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static inline void
model_counts_decode(json_t *o, struct model_counts *c)
{
	c->high = (unsigned)jint(o, "high", 0);
	c->medium = (unsigned)jint(o, "medium", 0);
	c->low = (unsigned)jint(o, "low", 0);
	c->info = (unsigned)jint(o, "info", 0);
}

/* Start decoding: check that root is an object, else take it and fail. */
static inline int
model_begin(json_t *root, const char *what, char **cause)
{
	if (json_is_object(root))
		return 0;
	json_decref(root);
	*cause = xasprintf("%s: expected a JSON object", what);
	return -1;
}

/* An array member, or NULL with *n = 0. */
static inline json_t *
jarray(json_t *o, const char *key, size_t *n)
{
	json_t *a = json_object_get(o, key);

	*n = json_is_array(a) ? json_array_size(a) : 0;
	return *n ? a : NULL;
}

#endif
