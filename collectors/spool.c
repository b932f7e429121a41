/* On-disk spool of undelivered batches: segment files plus a cursor. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "collectors/spool.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define SPOOL_MAGIC  0x50534243u /* "CBSP" */
#define SPOOL_HDR    32
#define SPOOL_MAXREC (256u << 20)

/* Record header, host byte order (a spool never moves between hosts). */
struct spool_hdr {
	uint32_t magic;
	uint8_t kind;
	uint8_t pad[3];
	uint32_t len;
	uint32_t crc;
	uint32_t npoints;
	uint32_t pad2;
	int64_t time_ms;
};

struct spool_seg {
	uint64_t id;
	uint64_t size;
	uint64_t nrec, npts;           /* records in the file */
	uint64_t acked_rec, acked_pts; /* delivered (head segment only) */
	int64_t last_time;
};

struct spool {
	char *dir;
	struct spool_limits lim;
	struct spool_seg *segs; /* oldest first; the last one is open */
	size_t nsegs, csegs;
	int fd;           /* the last segment, for appending */
	int rfd;          /* the head segment, for reading */
	uint64_t rfd_seg; /* which segment rfd is */
	uint64_t cur_off; /* first undelivered byte of segs[0] */
	int cursor_dirty;
	int cursor_failing; /* the last cursor write failed (logged) */
	int data_dirty;
	struct spool_stats st;
};

static char *
spool_seg_path(struct spool *sp, uint64_t id)
{
	return xasprintf("%s/seg-%016" PRIx64 ".spool", sp->dir, id);
}

/* Persist the cursor (write, fsync, rename).  On failure it stays dirty,
 * so the next spool_sync() tries again, and the error is logged: once when
 * the failures start, and when they end. 0 or -1. */
static int
spool_cursor_write(struct spool *sp)
{
	char *tmp, *path;
	const char *what = NULL;
	FILE *f;
	int err = 0;

	tmp = xasprintf("%s/cursor.tmp", sp->dir);
	path = xasprintf("%s/cursor", sp->dir);
	if ((f = fopen(tmp, "w")) == NULL) {
		what = "open";
		err = errno;
	} else {
		if (fprintf(f, "%" PRIu64 " %" PRIu64 "\n",
		        sp->nsegs > 0 ? sp->segs[0].id : 0, sp->cur_off) < 0 ||
		    fflush(f) != 0 || fsync(fileno(f)) != 0) {
			what = "write";
			err = errno;
		}
		if (fclose(f) != 0 && what == NULL) {
			what = "close";
			err = errno;
		}
		if (what == NULL && rename(tmp, path) != 0) {
			what = "rename";
			err = errno;
		}
	}
	if (what != NULL) {
		sp->cursor_dirty = 1; /* the next sync tries again */
		sp->st.cursor_errors++;
		if (!sp->cursor_failing)
			log_error("spool",
			    "cannot save the delivery cursor %s (%s: %s); "
			    "retrying at every sync (until then a restart "
			    "sends delivered batches again)",
			    path, what, strerror(err));
		sp->cursor_failing = 1;
	} else {
		if (sp->cursor_failing)
			log_info(
			    "spool", "delivery cursor %s saved again", path);
		sp->cursor_failing = 0;
		sp->cursor_dirty = 0;
	}
	free(tmp);
	free(path);
	return what != NULL ? -1 : 0;
}

/* Open a new, empty segment after the last one and make it the append
 * target. */
static int
spool_seg_new(struct spool *sp, char **cause)
{
	struct spool_seg *s;
	uint64_t id = sp->nsegs > 0 ? sp->segs[sp->nsegs - 1].id + 1 : 1;
	char *path = spool_seg_path(sp, id);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if (sp->fd != -1) {
		fsync(sp->fd);
		close(sp->fd);
	}
	sp->fd = fd;
	if (sp->nsegs == sp->csegs) {
		sp->csegs = sp->csegs ? sp->csegs * 2 : 8;
		sp->segs = xreallocarray(sp->segs, sp->csegs, sizeof *sp->segs);
	}
	s = &sp->segs[sp->nsegs++];
	memset(s, 0, sizeof *s);
	s->id = id;
	return 0;
}

/* Delete the oldest segment, counting what was not delivered. */
static void
spool_drop_head(struct spool *sp, int count)
{
	struct spool_seg *h = &sp->segs[0];
	char *path, *cause = NULL;

	if (count) {
		sp->st.dropped_records += h->nrec - h->acked_rec;
		sp->st.dropped_points += h->npts - h->acked_pts;
	}
	sp->st.bytes -= h->size;
	if (sp->rfd != -1 && sp->rfd_seg == h->id) {
		close(sp->rfd);
		sp->rfd = -1;
	}
	path = spool_seg_path(sp, h->id);
	unlink(path);
	free(path);
	if (sp->nsegs == 1) {
		/* It was the open one: start a fresh segment. */
		uint64_t id = h->id;

		close(sp->fd);
		sp->fd = -1;
		h->id = id; /* spool_seg_new numbers after the last */
		if (spool_seg_new(sp, &cause) != 0)
			free(cause);
		memmove(&sp->segs[0], &sp->segs[1], sizeof *sp->segs);
		sp->nsegs = sp->fd != -1 ? 1 : 0;
	} else {
		memmove(&sp->segs[0], &sp->segs[1],
		    (sp->nsegs - 1) * sizeof *sp->segs);
		sp->nsegs--;
	}
	sp->cur_off = 0;
	spool_cursor_write(sp);
}

/* Read and check the record header at off of fd; payload into out when
 * out is not NULL.  0 ok, -1 torn or corrupt. */
static int
spool_read_rec(
    int fd, uint64_t off, uint64_t size, struct spool_hdr *h, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	struct buf *b = out != NULL ? out : &tmp;
	ssize_t n;
	int r = -1;

	if (off + SPOOL_HDR > size)
		return -1;
	if (pread(fd, h, sizeof *h, (off_t)off) != (ssize_t)sizeof *h)
		return -1;
	if (h->magic != SPOOL_MAGIC || h->len > SPOOL_MAXREC ||
	    off + SPOOL_HDR + h->len > size)
		return -1;
	buf_reset(b);
	buf_reserve(b, h->len + 1);
	n = h->len > 0 ? pread(fd, b->data, h->len, (off_t)(off + SPOOL_HDR))
	               : 0;
	if (n == (ssize_t)h->len) {
		b->len = h->len;
		b->data[b->len] = '\0';
		if (crc32(0, (const Bytef *)b->data, h->len) == h->crc)
			r = 0;
	}
	buf_free(&tmp);
	return r;
}

/* Scan a segment at open: count its records; cut a torn tail when last. */
static void
spool_seg_scan(struct spool *sp, struct spool_seg *s, int last)
{
	struct spool_hdr h;
	struct stat st;
	uint64_t off = 0;
	char *path = spool_seg_path(sp, s->id);
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) != 0) {
		if (fd != -1)
			close(fd);
		free(path);
		return;
	}
	s->size = (uint64_t)st.st_size;
	while (off < s->size) {
		if (spool_read_rec(fd, off, s->size, &h, NULL) != 0) {
			if (!last)
				sp->st.corrupt_records++;
			if (last && truncate(path, (off_t)off) == 0) {
				/* a torn write from a crash */
			}
			s->size = off;
			break;
		}
		s->nrec++;
		s->npts += h.npoints;
		s->last_time = h.time_ms;
		off += SPOOL_HDR + h.len;
	}
	close(fd);
	free(path);
}

static int
spool_cmp_seg(const void *a, const void *b)
{
	const struct spool_seg *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct spool *
spool_open(const char *dir, const struct spool_limits *lim, char **cause)
{
	struct spool *sp;
	struct dirent *de;
	DIR *d;
	FILE *f;
	char *path;
	uint64_t cseg = 0, coff = 0, id;
	size_t i;
	struct spool_hdr h;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	if ((d = opendir(dir)) == NULL) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	sp = xcalloc(1, sizeof *sp);
	sp->dir = xstrdup(dir);
	sp->fd = sp->rfd = -1;
	sp->lim = *lim;
	if (sp->lim.max_bytes == 0)
		sp->lim.max_bytes = 64u << 20;
	if (sp->lim.segment_bytes == 0 ||
	    sp->lim.segment_bytes > sp->lim.max_bytes / 2)
		sp->lim.segment_bytes = sp->lim.max_bytes / 8;
	if (sp->lim.segment_bytes < 4096)
		sp->lim.segment_bytes = 4096;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "seg-%16" SCNx64 ".spool", &id) != 1)
			continue;
		if (sp->nsegs == sp->csegs) {
			sp->csegs = sp->csegs ? sp->csegs * 2 : 8;
			sp->segs = xreallocarray(
			    sp->segs, sp->csegs, sizeof *sp->segs);
		}
		memset(&sp->segs[sp->nsegs], 0, sizeof *sp->segs);
		sp->segs[sp->nsegs++].id = id;
	}
	closedir(d);
	if (sp->nsegs > 0)
		qsort(sp->segs, sp->nsegs, sizeof *sp->segs, spool_cmp_seg);
	for (i = 0; i < sp->nsegs; i++) {
		spool_seg_scan(sp, &sp->segs[i], i + 1 == sp->nsegs);
		sp->st.bytes += sp->segs[i].size;
	}

	/* The cursor: segments before it are delivered. */
	path = xasprintf("%s/cursor", dir);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%" SCNu64 " %" SCNu64, &cseg, &coff) != 2)
			cseg = coff = 0;
		fclose(f);
	}
	free(path);
	while (sp->nsegs > 0 && sp->segs[0].id < cseg) {
		sp->segs[0].acked_rec = sp->segs[0].nrec;
		sp->segs[0].acked_pts = sp->segs[0].npts;
		spool_drop_head(sp, 0);
		if (sp->nsegs == 1 && sp->segs[0].size == 0)
			break;
	}
	if (sp->nsegs > 0 && sp->segs[0].id == cseg && coff > 0) {
		/* Count the delivered records before the cursor. */
		char *p = spool_seg_path(sp, cseg);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		uint64_t off = 0;

		free(p);
		while (
		    fd != -1 && off < coff &&
		    spool_read_rec(fd, off, sp->segs[0].size, &h, NULL) == 0) {
			sp->segs[0].acked_rec++;
			sp->segs[0].acked_pts += h.npoints;
			off += SPOOL_HDR + h.len;
		}
		if (fd != -1)
			close(fd);
		sp->cur_off = off;
	}

	/* Append to the last segment, or a new one. */
	if (sp->nsegs > 0 && sp->fd == -1) {
		path = spool_seg_path(sp, sp->segs[sp->nsegs - 1].id);
		sp->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		free(path);
	}
	if (sp->fd == -1 && spool_seg_new(sp, cause) != 0) {
		spool_close(sp);
		return NULL;
	}
	spool_cursor_write(sp);
	return sp;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	spool_sync(sp);
	if (sp->fd != -1)
		close(sp->fd);
	if (sp->rfd != -1)
		close(sp->rfd);
	free(sp->segs);
	free(sp->dir);
	free(sp);
}

int
spool_append(struct spool *sp, int kind, const void *data, size_t len,
    uint32_t npoints, int64_t now_ms, char **cause)
{
	struct spool_seg *s;
	struct spool_hdr h;
	struct iovec iov[2];
	ssize_t n;
	char *path;

	if (len > SPOOL_MAXREC || SPOOL_HDR + len > sp->lim.max_bytes) {
		sp->st.dropped_records++;
		sp->st.dropped_points += npoints;
		*cause = xasprintf(
		    "record of %zu bytes exceeds the spool size", len);
		return -1;
	}
	if (sp->fd == -1 && spool_seg_new(sp, cause) != 0)
		return -1;
	s = &sp->segs[sp->nsegs - 1];
	if (s->size > 0 && s->size + SPOOL_HDR + len > sp->lim.segment_bytes) {
		if (spool_seg_new(sp, cause) != 0)
			return -1;
		s = &sp->segs[sp->nsegs - 1];
	}
	memset(&h, 0, sizeof h);
	h.magic = SPOOL_MAGIC;
	h.kind = (uint8_t)kind;
	h.len = (uint32_t)len;
	h.crc = (uint32_t)crc32(0, data, (uInt)len);
	h.npoints = npoints;
	h.time_ms = now_ms;
	iov[0].iov_base = &h;
	iov[0].iov_len = SPOOL_HDR;
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	n = writev(sp->fd, iov, 2);
	if (n != (ssize_t)(SPOOL_HDR + len)) {
		*cause = xasprintf("spool write: %s",
		    n == -1 ? strerror(errno) : "short write");
		/* Cut the partial record so the file stays readable. */
		path = spool_seg_path(sp, s->id);
		if (truncate(path, (off_t)s->size) != 0) {
			/* the scan at next open cuts it */
		}
		free(path);
		sp->st.dropped_records++;
		sp->st.dropped_points += npoints;
		return -1;
	}
	s->size += SPOOL_HDR + len;
	s->nrec++;
	s->npts += npoints;
	s->last_time = now_ms;
	sp->st.bytes += SPOOL_HDR + len;
	sp->st.appended_records++;
	sp->st.appended_points += npoints;
	sp->data_dirty = 1;
	/* Full: drop the oldest segments, never the one just written. */
	while (sp->st.bytes > sp->lim.max_bytes && sp->nsegs > 1)
		spool_drop_head(sp, 1);
	return 0;
}

int
spool_peek(struct spool *sp, int *kind, struct buf *out, uint32_t *npoints,
    struct spool_pos *pos)
{
	struct spool_hdr h;
	char *path;

	for (;;) {
		if (sp->nsegs == 0)
			return 0;
		if (sp->cur_off >= sp->segs[0].size) {
			if (sp->nsegs == 1)
				return 0;
			spool_drop_head(sp, 1);
			continue;
		}
		if (sp->rfd == -1 || sp->rfd_seg != sp->segs[0].id) {
			if (sp->rfd != -1)
				close(sp->rfd);
			path = spool_seg_path(sp, sp->segs[0].id);
			sp->rfd = open(path, O_RDONLY | O_CLOEXEC);
			free(path);
			sp->rfd_seg = sp->segs[0].id;
			if (sp->rfd == -1)
				return 0;
		}
		if (spool_read_rec(
		        sp->rfd, sp->cur_off, sp->segs[0].size, &h, out) != 0) {
			/* Corrupt: the rest of this segment is lost. */
			sp->st.corrupt_records++;
			sp->segs[0].acked_rec = sp->segs[0].nrec;
			sp->segs[0].acked_pts = sp->segs[0].npts;
			sp->cur_off = sp->segs[0].size;
			continue;
		}
		*kind = h.kind;
		*npoints = h.npoints;
		pos->seg = sp->segs[0].id;
		pos->off = sp->cur_off;
		return 1;
	}
}

void
spool_ack(struct spool *sp, const struct spool_pos *pos)
{
	struct spool_hdr h;

	if (sp->nsegs == 0 || sp->segs[0].id != pos->seg ||
	    sp->cur_off != pos->off || sp->rfd == -1 ||
	    pread(sp->rfd, &h, sizeof h, (off_t)pos->off) != (ssize_t)sizeof h)
		return;
	sp->cur_off += SPOOL_HDR + h.len;
	sp->segs[0].acked_rec++;
	sp->segs[0].acked_pts += h.npoints;
	sp->cursor_dirty = 1;
	if (sp->cur_off >= sp->segs[0].size) {
		/* Fully delivered: reclaim it (a fresh file replaces the
		 * open one). */
		spool_drop_head(sp, 1);
	}
}

int
spool_sync(struct spool *sp)
{
	if (sp->data_dirty && sp->fd != -1)
		fsync(sp->fd);
	sp->data_dirty = 0;
	if (sp->cursor_dirty)
		return spool_cursor_write(sp);
	return 0;
}

void
spool_expire(struct spool *sp, int64_t now_ms)
{
	if (sp->lim.max_age_ms <= 0)
		return;
	while (sp->nsegs > 0 && sp->segs[0].nrec > sp->segs[0].acked_rec &&
	       sp->segs[0].last_time < now_ms - sp->lim.max_age_ms)
		spool_drop_head(sp, 1);
}

void
spool_get_stats(const struct spool *sp, struct spool_stats *st)
{
	size_t i;

	*st = sp->st;
	st->segments = sp->nsegs;
	st->records = st->points = 0;
	for (i = 0; i < sp->nsegs; i++) {
		st->records += sp->segs[i].nrec - sp->segs[i].acked_rec;
		st->points += sp->segs[i].npts - sp->segs[i].acked_pts;
	}
}

int
spool_empty(const struct spool *sp)
{
	size_t i;

	for (i = 0; i < sp->nsegs; i++)
		if (sp->segs[i].nrec > sp->segs[i].acked_rec)
			return 0;
	return 1;
}
