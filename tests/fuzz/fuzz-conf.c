/* Fuzz target: configuration loading with positions (lib/conf.c). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_conf {
	char *listen;
	long long n;
	double d;
	int b;
	int64_t dur;
	char **list;
	json_t *obj;
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct conf_field fields[] = {
	    {.key = "listen",
	        .type = CONF_HOSTPORT,
	        .offset = offsetof(struct fuzz_conf, listen)},
	    {.key = "n",
	        .type = CONF_INT,
	        .min = -5,
	        .max = 5,
	        .offset = offsetof(struct fuzz_conf, n)},
	    {.key = "d",
	        .type = CONF_DOUBLE,
	        .offset = offsetof(struct fuzz_conf, d)},
	    {.key = "b",
	        .type = CONF_BOOL,
	        .offset = offsetof(struct fuzz_conf, b)},
	    {.key = "dur",
	        .type = CONF_DURATION,
	        .offset = offsetof(struct fuzz_conf, dur)},
	    {.key = "list",
	        .type = CONF_STRARRAY,
	        .offset = offsetof(struct fuzz_conf, list)},
	    {.key = "obj",
	        .type = CONF_OBJECT,
	        .offset = offsetof(struct fuzz_conf, obj)},
	    {.key = NULL},
	};
	struct fuzz_conf fc = {0};
	struct conf_file *cf;
	char *cause = NULL;

	cf = conf_file_parse("fuzz.json", (const char *)data, size, &cause);
	if (cf == NULL) {
		free(cause);
		return 0;
	}
	if (conf_object_read(cf, conf_file_root(cf), fields, &fc, &cause) != 0)
		free(cause);
	if (fc.obj != NULL &&
	    conf_object_read(cf, fc.obj, fields, &fc, &cause) != 0)
		free(cause);
	free(fc.listen);
	conf_strarray_free(fc.list);
	conf_file_free(cf);
	return 0;
}
