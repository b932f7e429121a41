/*
 * What the benches read from /proc: a process's memory, CPU time and
 * threads, and how the machine's cores were shared over a run.
 */
#ifndef CB_BENCH_PROC_H
#define CB_BENCH_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* A "Name: N kB" figure of /proc/PID/status (field with its colon), or
 * -1. */
long bench_status_kib(pid_t pid, const char *field);
/* CPU seconds (user + system) used so far by pid, or -1. */
double bench_cpu_s(pid_t pid);
/* Wait until pid is idle and return its CPU seconds then. */
double bench_cpu_settled(pid_t pid);

/* CPU ticks of each thread of a process, by thread id. */
#define BENCH_THREADS_MAX 128
struct bench_threads {
	int n;
	int tid[BENCH_THREADS_MAX];
	char comm[BENCH_THREADS_MAX][32];
	unsigned long long ticks[BENCH_THREADS_MAX];
};

void bench_threads_read(pid_t pid, struct bench_threads *bt);
/* Print each busy thread's share of a core between snapshots a and b
 * (hub_threads_cpu_pct) and the points per CPU-second of the busiest. */
void bench_threads_report(const struct bench_threads *a,
    const struct bench_threads *b, uint64_t points, int64_t elapsed);

/* The machine's CPU ticks over all cores (/proc/stat), and this process's
 * own CPU seconds (getrusage: every thread of the bench). */
struct bench_machine {
	unsigned long long total, idle; /* idle counts iowait */
	double self_cpu_s;
};
void bench_machine_read(struct bench_machine *m);
/* Print how the cores were shared between snapshots a and b, elapsed ms
 * apart, the hub having used hub_cpu_s of them: the bench's own CPU
 * (bench_cpu_pct), the machine's idle share (machine_idle_pct) and the
 * rest (machine_other_cpu_pct: neither the hub nor the bench). */
void bench_machine_report(const struct bench_machine *a,
    const struct bench_machine *b, double hub_cpu_s, int64_t elapsed);

#endif
