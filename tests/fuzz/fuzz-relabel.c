/* Fuzz target: forwarding's relabel rules (hub/remote/relabel.c), read
 * from JSON and applied to a fixed series (regexp_expand's templates). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "hub/remote/relabel.h"
#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relabel_rule *r = NULL;
	struct relabel_set s = {0};
	struct conf_file *cf;
	char *cause = NULL;
	size_t n = 0;

	cf = conf_file_parse("fuzz.json", (const char *)data, size, &cause);
	if (cf == NULL) {
		free(cause);
		return 0;
	}
	if (!json_is_array(conf_file_root(cf)) ||
	    relabel_rules_read(cf, conf_file_root(cf), &r, &n, &cause) != 0) {
		free(cause);
		conf_file_free(cf);
		return 0;
	}
	relabel_set_add(&s, "__name__", "env_aqi");
	relabel_set_add(&s, "grid", "440304001001001");
	relabel_set_add(&s, "sensor", "s01");
	(void)relabel_apply(r, n, &s);
	relabel_set_free(&s);
	relabel_rules_free(r, n);
	conf_file_free(cf);
	return 0;
}
