/* What the benches read from /proc (bench/proc.h). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/proc.h"

/* A "Name: N kB" figure of /proc/PID/status (field with its colon), or
 * -1. */
long
bench_status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	FILE *f;
	long kib = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, n) == 0)
			kib = strtol(line + n, NULL, 10);
	}
	fclose(f);
	return kib;
}

/*
 * The CPU ticks (utime + stime, the 14th and 15th fields) of a
 * /proc/.../stat line whose command name ends at close (its ')'), or -1.
 * The fields between are skipped by their count: until 2026-12-07 (issue
 * 14, ingest14) the benches stopped one field short and read cmajflt and
 * utime, so every CPU figure left out system time.
 */
static long long
stat_ticks(const char *close)
{
	unsigned long long ut, st;

	if (sscanf(close + 1,
	        " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
	        &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* CPU seconds (user + system) used so far by pid, or -1. */
double
bench_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long ticks;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    (ticks = stat_ticks(p)) < 0)
		return -1;
	return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* Wait until pid is idle (less than 4% of a core over half a second,
 * at most 60 s) and return its CPU seconds then: what it used for the
 * work already handed to it, background flushes included. */
double
bench_cpu_settled(pid_t pid)
{
	double c0 = bench_cpu_s(pid), c1 = c0;
	int i;

	for (i = 0; i < 120; i++) {
		usleep(500000);
		c1 = bench_cpu_s(pid);
		if (c1 - c0 < 0.02)
			break;
		c0 = c1;
	}
	return c1;
}

void
bench_threads_read(pid_t pid, struct bench_threads *bt)
{
	char path[320], buf[1024], *p, *q;
	long long ticks;
	struct dirent *de;
	DIR *d;
	FILE *f;

	bt->n = 0;
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && bt->n < BENCH_THREADS_MAX) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)pid,
		    de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(buf, sizeof buf, f);
		fclose(f);
		if (p == NULL || (p = strchr(buf, '(')) == NULL ||
		    (q = strrchr(buf, ')')) == NULL)
			continue;
		snprintf(bt->comm[bt->n], sizeof bt->comm[0], "%.*s",
		    (int)(q - p - 1), p + 1);
		if ((ticks = stat_ticks(q)) < 0)
			continue;
		bt->tid[bt->n] = atoi(de->d_name);
		bt->ticks[bt->n] = (unsigned long long)ticks;
		bt->n++;
	}
	closedir(d);
}

/*
 * Each thread's share of a core between two snapshots, and the busiest
 * one: with a core to each thread the hub could go no faster than that
 * thread allows, so points / its CPU seconds is the rate the hub's
 * threads scale to (the machine's other load aside).
 */
void
bench_threads_report(const struct bench_threads *a,
    const struct bench_threads *b, uint64_t points, int64_t elapsed)
{
	double tck = (double)sysconf(_SC_CLK_TCK), max = 0, cpu;
	const char *maxname = "?";
	int i, j;

	printf("hub_threads_cpu_pct:");
	for (i = 0; i < b->n; i++) {
		unsigned long long t0 = 0;

		for (j = 0; j < a->n; j++) {
			if (a->tid[j] == b->tid[i])
				t0 = a->ticks[j];
		}
		cpu = (double)(b->ticks[i] - t0) / tck;
		if (cpu * 1000.0 / (double)elapsed < 0.005)
			continue;
		printf(
		    " %s %.0f", b->comm[i], cpu * 100000.0 / (double)elapsed);
		if (cpu > max) {
			max = cpu;
			maxname = b->comm[i];
		}
	}
	printf("\n");
	if (max > 0)
		printf("ingest_points_per_busiest_thread_cpu_s: %.0f points/s "
		       "(%s)\n",
		    (double)points / max, maxname);
}

void
bench_machine_read(struct bench_machine *m)
{
	unsigned long long v[8] = {0};
	struct rusage ru;
	FILE *f;
	int i;

	memset(m, 0, sizeof *m);
	/* cpu  user nice system idle iowait irq softirq steal (guest time
	 * is in user already) */
	if ((f = fopen("/proc/stat", "r")) != NULL) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		        &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		        &v[7]) >= 4) {
			for (i = 0; i < 8; i++)
				m->total += v[i];
			m->idle = v[3] + v[4];
		}
		fclose(f);
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		m->self_cpu_s =
		    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void
bench_machine_report(const struct bench_machine *a,
    const struct bench_machine *b, double hub_cpu_s, int64_t elapsed)
{
	double ncpu = (double)sysconf(_SC_NPROCESSORS_ONLN), bench_pct, idle,
	       busy_pct;

	bench_pct =
	    (b->self_cpu_s - a->self_cpu_s) * 100000.0 / (double)elapsed;
	printf("bench_cpu_pct: %.0f %% of one core (the generator's "
	       "threads)\n",
	    bench_pct);
	if (b->total <= a->total)
		return;
	idle = (double)(b->idle - a->idle) / (double)(b->total - a->total);
	busy_pct = (1.0 - idle) * ncpu * 100.0;
	printf("machine_idle_pct: %.0f %% of %.0f cores (/proc/stat)\n",
	    idle * 100.0, ncpu);
	printf("machine_other_cpu_pct: %.0f %% of one core (neither the hub "
	       "nor the bench)\n",
	    busy_pct - bench_pct - hub_cpu_s * 100000.0 / (double)elapsed);
}
