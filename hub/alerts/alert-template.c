/* Alert message templates: {value}, {value:.2f}, {threshold}, {rule},
 * {place}, {code} and {TAG} (alert-rules.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hub/alerts/alert-rules.h"
#include "lib/buf.h"

int
alert_template_check(const char *tmpl, char *err, size_t len)
{
	const char *p, *close;
	int prec;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p == '}') {
			snprintf(err, len, "unmatched '}' at offset %zu",
			    (size_t)(p - tmpl));
			return -1;
		}
		if (*p != '{')
			continue;
		close = strchr(p, '}');
		if (close != NULL &&
		    memchr(p + 1, '{', (size_t)(close - p - 1)))
			close = NULL;
		if (close == NULL || close == p + 1) {
			snprintf(err, len, "%s at offset %zu",
			    close == NULL ? "unclosed '{'" : "empty '{}'",
			    (size_t)(p - tmpl));
			return -1;
		}
		if (strncmp(p, "{value:.", 8) == 0 &&
		    (sscanf(p + 8, "%d", &prec) != 1 || prec < 0 || prec > 9 ||
		        close[-1] != 'f')) {
			snprintf(err, len,
			    "bad value format at offset %zu (use {value:.2f})",
			    (size_t)(p - tmpl));
			return -1;
		}
		p = close;
	}
	return 0;
}

static void
alert_template_number(struct buf *b, double v, int prec)
{
	if (isnan(v)) {
		buf_puts(b, "-");
		return;
	}
	if (prec >= 0)
		buf_printf(b, "%.*f", prec, v);
	else
		buf_printf(b, "%.6g", v);
}

char *
alert_template_expand(const char *tmpl, const struct alert_rule *rule,
    json_t *labels, double value, const char *place, const char *code)
{
	struct buf b = BUF_INIT;
	const char *p, *close, *s;
	char name[128];
	size_t n;
	int prec;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			buf_putc(&b, *p);
			continue;
		}
		n = (size_t)(close - p - 1);
		if (n >= sizeof name)
			n = sizeof name - 1;
		memcpy(name, p + 1, n);
		name[n] = '\0';
		p = close;
		if (strcmp(name, "value") == 0)
			alert_template_number(&b, value, -1);
		else if (strncmp(name, "value:.", 7) == 0 &&
		         sscanf(name + 7, "%d", &prec) == 1 && prec >= 0 &&
		         prec < 10)
			alert_template_number(&b, value, prec);
		else if (strcmp(name, "threshold") == 0 && rule != NULL)
			alert_template_number(&b, rule->threshold, -1);
		else if (strcmp(name, "rule") == 0 && rule != NULL)
			buf_puts(&b, rule->name);
		else if (strcmp(name, "place") == 0)
			buf_puts(&b, place != NULL  ? place
			             : code != NULL ? code
			                            : "?");
		else if (strcmp(name, "code") == 0)
			buf_puts(&b, code != NULL ? code : "?");
		else if (labels != NULL &&
		         (s = json_string_value(
		              json_object_get(labels, name))) != NULL)
			buf_puts(&b, s);
		else
			buf_puts(&b, "?");
	}
	return buf_detach(&b);
}
