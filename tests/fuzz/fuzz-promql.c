/* Fuzz target for the PromQL parser (hub/promql): parse; when it parses,
 * the normal form parses again to the same normal form. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/promql/promql.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_node *n, *again;
	struct buf b = BUF_INIT, b2 = BUF_INIT;
	char *text, *cause = NULL;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	n = promql_parse(text, &cause);
	if (n == NULL) {
		/* Every error says where. */
		if (cause == NULL || strncmp(cause, "column ", 7) != 0)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	promql_node_format(n, &b);
	if ((again = promql_parse(b.data, &cause)) == NULL)
		abort();
	promql_node_format(again, &b2);
	if (strcmp(b.data, b2.data) != 0 || again->type != n->type)
		abort();
	promql_node_free(again);
	promql_node_free(n);
	buf_free(&b);
	buf_free(&b2);
	free(text);
	return 0;
}
