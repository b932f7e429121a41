/*
 * bench/lineproto-bench: line protocol parser throughput on a realistic
 * body (5,000 lines, city metrics with 4 tags, 1 field, ms timestamps).
 * Prints lineproto_parse_lines_per_s and lineproto_parse_mb_per_s.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/lineproto.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char *metrics[] = {
	    "water_level", "aqi", "traffic_flow", "power_load", "noise_db"};
	struct lp_parser *lp = lp_parser_create();
	const struct lp_point *pt;
	const char *cause;
	struct buf body = BUF_INIT;
	struct lp_body b;
	double t0, el, sum = 0;
	size_t lines = 0, bytes = 0, lineno;
	int i, rounds = argc > 1 ? atoi(argv[1]) : 400;

	for (i = 0; i < 5000; i++)
		buf_printf(&body,
		    "%s,grid=FT-%02d-%02d-%03d,system=sys-%03d,dept=urban,"
		    "platform=p%d value=%d.%03d %lld\n",
		    metrics[i % 5], i % 10, i % 7, i % 97, i % 120, i % 5,
		    i % 1000, i % 997, 1700000000000LL + i * 10);
	t0 = now_s();
	for (i = 0; i < rounds; i++) {
		lp_body_init(&b, body.data, body.len);
		while (lp_body_next(lp, &b, &pt, &lineno, &cause) == LP_POINT) {
			sum += pt->fields[0].v.f;
			lines++;
		}
		bytes += body.len;
	}
	el = now_s() - t0;
	printf("lineproto_parse_lines_per_s: %.0f lines/s\n", lines / el);
	printf("lineproto_parse_mb_per_s: %.1f MB/s\n", bytes / el / 1e6);
	printf(
	    "lineproto_bytes_per_line: %.1f bytes\n", (double)body.len / 5000);
	if (sum < 0)
		printf("%f\n", sum);
	buf_free(&body);
	lp_parser_free(lp);
	return 0;
}
