/*
 * JSON configuration loading with positions.  conf_file_load() parses a
 * file with jansson and records where every key and value starts, so that
 * validation errors name file:line:column and the key:
 *   conf/hub.json:12:5: "listen": expected "host:port"
 * Unknown keys are errors (conf_object_read), so typos never pass.
 */
#ifndef CB_CONF_H
#define CB_CONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct conf_file;

enum conf_type {
	CONF_STRING,   /* char *, strdup'd; caller frees */
	CONF_INT,      /* long long, within [min, max] */
	CONF_DOUBLE,   /* double */
	CONF_BOOL,     /* int, 0 or 1 */
	CONF_DURATION, /* int64_t ms; "5m", "90s" or a number of seconds */
	CONF_HOSTPORT, /* char *, validated "host:port" ("[::1]:80" too) */
	CONF_JSON,     /* json_t *, borrowed from the document; any type */
	CONF_OBJECT,   /* json_t *, borrowed; must be an object */
	CONF_ARRAY,    /* json_t *, borrowed; must be an array */
	CONF_STRARRAY, /* char **, NULL-terminated, strdup'd; caller frees */
};

struct conf_field {
	const char *key;
	enum conf_type type;
	int required;
	size_t offset;      /* offsetof() into the target struct */
	long long min, max; /* CONF_INT bounds; both 0 means any */
};

/* Parse path.  On error returns NULL and *cause (caller frees) is
 * "path:line:col: message". */
struct conf_file *conf_file_load(const char *path, char **cause);
/* Same from memory; name is used in messages. */
struct conf_file *conf_file_parse(
    const char *name, const char *text, size_t len, char **cause);
void conf_file_free(struct conf_file *cf);
json_t *conf_file_root(struct conf_file *cf); /* borrowed */
const char *conf_file_name(struct conf_file *cf);

/*
 * Read obj's members into the struct at dst as fields describes.  Keys not
 * in fields are errors.  where names obj in messages when it has no
 * position of its own (NULL for the root).  Returns 0, or -1 with *cause
 * set ("file:line:col: "key": expected an integer").  Strings already
 * stored in dst before a failure stay owned by dst.
 */
int conf_object_read(struct conf_file *cf, json_t *obj,
    const struct conf_field *fields, void *dst, char **cause);

/*
 * Format an error about member key of obj (or element index of an array
 * when key is NULL) with its position: "file:line:col: "key": msg".
 * Returns heap memory the caller frees.
 */
char *conf_error(struct conf_file *cf, json_t *parent, const char *key,
    size_t index, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Position of member key of parent (or element index when key is NULL);
 * 0 when found, -1 otherwise. */
int conf_pos(struct conf_file *cf, json_t *parent, const char *key,
    size_t index, int *line, int *col);

/*
 * The first line of file path (relative to conf_path's directory unless
 * absolute), without its line end: for secrets a configuration names
 * (token files).  Heap memory the caller frees, or NULL with *why
 * ("cannot read PATH: ...", caller frees).
 */
char *conf_secret_read(const char *conf_path, const char *path, char **why);

/* Free a NULL-terminated string array from CONF_STRARRAY. */
void conf_strarray_free(char **v);

#endif
