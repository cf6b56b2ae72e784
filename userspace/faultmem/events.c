// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem trace and run: the faultmem events as the ring buffer holds
 * them, decoded with what the kernel says of their layout, as perf and
 * trace-cmd do. Each event's format file (events/faultmem/EVENT/format)
 * gives its ID and the offset and size of every field by name;
 * events/header_page gives the layout of a ring-buffer page. Nothing
 * reads the TP_printk text, so a field added or moved breaks no parser.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

static const char *const event_names[NR_EVENT_TYPES] = {
	[EV_FAULT] = "faultmem_fault",
	[EV_MAP_PAGES] = "faultmem_map_pages",
	[EV_RESIZE] = "faultmem_resize",
	[EV_PUNCH_HOLE] = "faultmem_punch_hole",
};

static const char *const field_names[NR_EVENT_FIELDS] = {
	[F_DEV] = "dev", [F_PGOFF] = "pgoff", [F_ADDRESS] = "address",
	[F_WRITE] = "write", [F_SHARED] = "shared", [F_OUTCOME] = "outcome",
	[F_DURATION_NS] = "duration_ns", [F_ORDER] = "order",
	[F_START_PGOFF] = "start_pgoff", [F_END_PGOFF] = "end_pgoff",
	[F_MAPPED] = "mapped", [F_FROM] = "from", [F_TO] = "to",
	[F_PAGES_FREED] = "pages_freed",
};

/* Where a field lies in a record or a page; size 0: there is none. */
struct field_at {
	unsigned int offset, size;
};

#define MAX_SYMBOLS 16

/* A value of a field and its name, from __print_symbolic() (outcome). */
struct symbol {
	uint64_t value;
	char name[32];
};

/* What one event's format file says. */
struct event_format {
	unsigned int id;
	struct field_at common_type;
	struct field_at field[NR_EVENT_FIELDS];
	struct symbol outcome[MAX_SYMBOLS];
	unsigned int nr_outcomes;
};

struct event_formats {
	struct field_at timestamp, commit, data;	/* header_page */
	struct event_format event[NR_EVENT_TYPES];
};

/*
 * The bits of a page's commit that count its bytes: those above flag
 * missed events (RB_MISSED_EVENTS, RB_MISSED_STORED), as libtraceevent's
 * kbuffer masks them.
 */
#define COMMIT_MASK ((1ULL << 27) - 1)

/* An event header's type_len values (kernel/trace/ring_buffer.c). */
enum {
	RB_DATA_LONG = 0,	/* the length in the next 32 bits; 1 to 28: in words */
	RB_PADDING = 29,
	RB_TIME_EXTEND = 30,
	RB_TIME_STAMP = 31,
};

#define RB_TIME_SHIFT 27

/* The file at @path, whole, NUL-terminated (malloc()ed), or NULL. */
static char *read_file(const char *path)
{
	size_t len = 0, size = 8192;
	char *buf = malloc(size);
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, size - 1 - len, f)) > 0) {
		len += n;
		if (len == size - 1) {
			char *grown = realloc(buf, size *= 2);

			if (!grown)
				break;
			buf = grown;
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/*
 * The order of a PMD-size folio on the running kernel (2 MiB on x86-64,
 * 32 MiB with 16 KiB pages on arm64), or 0 when it has no THP to say so.
 */
unsigned int pmd_folio_order(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	uint64_t bytes = 0, page = sysconf(_SC_PAGESIZE);
	unsigned int order = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%" SCNu64, &bytes) != 1)
		bytes = 0;
	fclose(f);
	while (bytes > page << order)
		order++;
	return bytes == page << order ? order : 0;
}

/*
 * The name a "field:TYPE NAME;" or "field:TYPE NAME[N];" declaration of
 * @len bytes gives (its last word) into @name.
 */
static void declared_name(const char *decl, size_t len, char *name, size_t size)
{
	const char *end = memchr(decl, '[', len), *start;

	if (!end)
		end = decl + len;
	for (start = end; start > decl && start[-1] != ' ' && start[-1] != '\t';)
		start--;
	snprintf(name, size, "%.*s", (int)(end - start), start);
}

/* A format file's "field:" line into its name and @at: 0, or -1 if none. */
static int parse_field(const char *line, char *name, size_t size,
		       struct field_at *at)
{
	const char *decl = strstr(line, "field:"), *semi;

	if (!decl)
		return -1;
	decl += strlen("field:");
	semi = strchr(decl, ';');
	if (!semi || sscanf(semi, "; offset:%u; size:%u;", &at->offset, &at->size) != 2)
		return -1;
	declared_name(decl, semi - decl, name, size);
	return 0;
}

/*
 * The names of the outcome field's values, from the print fmt's
 * __print_symbolic(REC->outcome, { 0, "new_page" }, ...): the kernel
 * writes the enum's values there as numbers (TRACE_DEFINE_ENUM).
 */
static void parse_outcomes(const char *fmt, struct event_format *e)
{
	const char *p = strstr(fmt, "__print_symbolic(REC->outcome");
	struct symbol *s;
	int n;

	p = p ? strchr(p, ',') : NULL;
	while (p && e->nr_outcomes < MAX_SYMBOLS) {
		s = &e->outcome[e->nr_outcomes];
		if (sscanf(p, " , { %" SCNu64 " , \"%31[^\"]\" }%n", &s->value,
			   s->name, &n) != 2)
			break;
		e->nr_outcomes++;
		p += n;
	}
}

/* Each "field:" line of @text whose name is in @names into @at. */
static void parse_fields(char *text, const char *const *names,
			 unsigned int nr_names, struct field_at *at,
			 struct field_at *common_type)
{
	char *line, *save = NULL, name[64];
	struct field_at f;
	unsigned int i;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (parse_field(line, name, sizeof(name), &f))
			continue;
		if (common_type && !strcmp(name, "common_type"))
			*common_type = f;
		for (i = 0; i < nr_names; i++)
			if (!strcmp(name, names[i]))
				at[i] = f;
	}
}

/* Event @type's format file: 0, or -1 after saying why. */
static int load_event(const char *dir, enum event_type type,
		      struct event_format *e)
{
	char path[512], *text, *id;

	snprintf(path, sizeof(path), "%s/events/faultmem/%s/format", dir,
		 event_names[type]);
	text = read_file(path);
	id = text ? strstr(text, "\nID: ") : NULL;
	if (!id || sscanf(id, "\nID: %u", &e->id) != 1) {
		warnx("%s: no event ID (is the module loaded?)", path);
		free(text);
		return -1;
	}
	if (strstr(text, "print fmt:"))
		parse_outcomes(strstr(text, "print fmt:"), e);
	parse_fields(text, field_names, NR_EVENT_FIELDS, e->field, &e->common_type);
	free(text);
	if (!e->common_type.size) {
		warnx("%s: no common_type field", path);
		return -1;
	}
	return 0;
}

/* events/header_page: where a page's time stamp, commit and data lie. */
static int load_header_page(const char *dir, struct event_formats *f)
{
	static const char *const names[] = { "timestamp", "commit", "data" };
	struct field_at at[3] = { { 0 } };
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/events/header_page", dir);
	text = read_file(path);
	if (!text) {
		warn("%s", path);
		return -1;
	}
	parse_fields(text, names, 3, at, NULL);
	free(text);
	if (!at[0].size || !at[1].size || !at[2].size) {
		warnx("%s: no timestamp, commit or data field", path);
		return -1;
	}
	f->timestamp = at[0];
	f->commit = at[1];
	f->data = at[2];
	return 0;
}

/*
 * The layouts of the ring buffer's pages and of the faultmem events of
 * tracefs at @dir (malloc()ed; free() them), or NULL after saying why.
 */
struct event_formats *load_event_formats(const char *dir)
{
	struct event_formats *f = calloc(1, sizeof(*f));
	unsigned int t;

	if (!f)
		err(1, "event formats");
	if (load_header_page(dir, f))
		goto fail;
	for (t = 0; t < NR_EVENT_TYPES; t++)
		if (load_event(dir, t, &f->event[t]))
			goto fail;
	return f;
fail:
	free(f);
	return NULL;
}

/* The size of a ring-buffer page, the unit trace_pipe_raw reads. */
size_t ring_page_size(const struct event_formats *f)
{
	return f->data.offset + f->data.size;
}

/* The field at @at of the @len bytes at @p, as an unsigned number. */
static uint64_t read_field(const unsigned char *p, size_t len,
			   const struct field_at *at)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!at->size || at->offset + at->size > len)
		return 0;
	p += at->offset;
	switch (at->size) {
	case 1:
		return memcpy(&u8, p, 1), u8;
	case 2:
		return memcpy(&u16, p, 2), u16;
	case 4:
		return memcpy(&u32, p, 4), u32;
	case 8:
		return memcpy(&u64, p, 8), u64;
	}
	return 0;
}

/*
 * An event header's type_len and time_delta: the bit-fields
 * "u32 type_len:5, time_delta:27", which the compiler lays out from the
 * low bits on a little-endian CPU and from the high bits on a big-endian
 * one.
 */
static void event_header(uint32_t head, unsigned int *type_len, uint32_t *delta)
{
	const uint16_t one = 1;

	if (*(const uint8_t *)&one) {
		*type_len = head & 31;
		*delta = head >> 5;
	} else {
		*type_len = head >> RB_TIME_SHIFT;
		*delta = head & ((1U << RB_TIME_SHIFT) - 1);
	}
}

/*
 * The length of the entry with header @type_len at @p (its first 32 bits
 * after the header: @array0), and where its record starts (0: it has
 * none, a padding or a time stamp). A padding with no delta ends the data.
 */
static size_t entry_length(unsigned int type_len, uint32_t delta,
			   uint32_t array0, size_t *record)
{
	*record = 0;
	switch (type_len) {
	case RB_PADDING:
		return delta ? 4 + (size_t)array0 : 0;
	case RB_TIME_EXTEND:
	case RB_TIME_STAMP:
		return 8;
	case RB_DATA_LONG:
		*record = 8;
		return array0 >= 4 ? 4 + (size_t)array0 : 0;
	}
	*record = 4;
	return 4 + type_len * 4;
}

/*
 * Hand each record of a ring-buffer page, as trace_pipe_raw reads one, to
 * @fn with its time stamp: the page's, plus every delta up to it.
 */
void for_each_record(const struct event_formats *f, const unsigned char *page,
		     record_fn fn, void *arg)
{
	size_t size = ring_page_size(f), at = f->data.offset, end, len, record;
	uint64_t ts = read_field(page, size, &f->timestamp);
	uint32_t head, array0, delta;
	unsigned int type_len;

	end = at + (read_field(page, size, &f->commit) & COMMIT_MASK);
	if (end > size)
		end = size;
	for (; at + 8 <= end; at += len) {
		memcpy(&head, page + at, 4);
		memcpy(&array0, page + at + 4, 4);
		event_header(head, &type_len, &delta);
		len = entry_length(type_len, delta, array0, &record);
		if (!len || at + len > end)
			return;
		if (type_len == RB_TIME_STAMP)
			ts = (uint64_t)array0 << RB_TIME_SHIFT | delta;
		else if (type_len == RB_TIME_EXTEND)
			ts += ((uint64_t)array0 << RB_TIME_SHIFT) + delta;
		else
			ts += delta;	/* a padding's too: a discarded event */
		if (record)
			fn(page + at + record, len - record, ts, arg);
	}
}

/* The name of outcome @value, as the format file gives it. */
static const char *outcome_name(const struct event_format *e, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < e->nr_outcomes; i++)
		if (e->outcome[i].value == value)
			return e->outcome[i].name;
	return "unknown";
}

/*
 * The record @rec (@len bytes) into @ev: 0, or -1 if it is no faultmem
 * event.
 */
int decode_record(const struct event_formats *f, const unsigned char *rec,
		  size_t len, struct fm_event *ev)
{
	const struct event_format *e;
	unsigned int t, i;

	for (t = 0; t < NR_EVENT_TYPES; t++) {
		e = &f->event[t];
		if (read_field(rec, len, &e->common_type) == e->id)
			break;
	}
	if (t == NR_EVENT_TYPES)
		return -1;
	ev->type = t;
	for (i = 0; i < NR_EVENT_FIELDS; i++)
		ev->v[i] = read_field(rec, len, &e->field[i]);
	ev->outcome = t == EV_FAULT ? outcome_name(e, ev->v[F_OUTCOME]) : NULL;
	return 0;
}

/* 1 if @ev is of the device named @name ("faultmem3"; NULL: any device). */
int event_of_device(const struct fm_event *ev, const char *name)
{
	char own[32];

	snprintf(own, sizeof(own), "faultmem%" PRIu64, ev->v[F_DEV]);
	return !name || !strcmp(own, name);
}

/*
 * The size of a folio of order @order (pages of this system's size) in
 * @buf: "4" @sep "KiB", "2" @sep "MiB".
 */
const char *folio_size(unsigned int order, const char *sep, char *buf,
		       size_t size)
{
	uint64_t kib = (uint64_t)sysconf(_SC_PAGESIZE) / 1024 << (order < 32 ? order : 31);

	if (kib >= 1024 && kib % 1024 == 0)
		snprintf(buf, size, "%" PRIu64 "%sMiB", kib / 1024, sep);
	else
		snprintf(buf, size, "%" PRIu64 "%sKiB", kib, sep);
	return buf;
}
