/* SPDX-License-Identifier: MIT */
/*
 * The probe test plugin: calls every function of the plugin ABI and turns
 * what it got into findings and notes, which tests/integration/
 * test_plugin_abi.sh compares with the samples' ground truth (never with
 * vmahunt's own output, which could be wrong the same way).
 *
 * Detectors:
 *   probe          process(): one finding per process (pid, comm, VMA count,
 *                  struct_size checks, reads of probe.read=ADDR:LEN, present
 *                  page runs); finish(): one finding with the dump's facts,
 *                  kernel symbols and reads, the init options and the
 *                  error-path checks; a second one with too many notes.
 *   probe-vma      vma(): one finding per VMA, its fields as the plugin saw them.
 *   probe-content  VH_PLUGIN_NEEDS_CONTENT: one finding per process (skipped
 *                  on a dump without user pages).
 *   probe-kernel   VH_PLUGIN_NEEDS_KERNEL: one finding per process (skipped
 *                  on a process core).
 *
 * Options (all repeatable): tag (echoed back in finish), read, kread, phys
 * (ADDR:LEN read through the user, kernel or physical space), symbol,
 * member (looked up in finish), pid (limits reads and page walks to these
 * processes), log (a file every callback appends its name to, to check the
 * order of the lifecycle).
 */
#include <vmahunt/plugin.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u

/* Values of the repeatable options, copied: init()'s strings die with init(). */
struct list {
	char **v;
	size_t n;
};

struct state {
	struct list tags, reads, kreads, physs, symbols, members, pids;
	char *log;
	pthread_t thread;    /* the thread init() ran on: every callback must share it */
	bool other_thread;   /* a callback ran on another thread */
	size_t processes;    /* process() calls */
	int32_t vma_pid;     /* the process probe-vma's calls are about */
	size_t vma_next;     /* the index the next vma() call must have */
	size_t vma_mismatch; /* vma() arguments unlike vh_plugin_ctx_vma() of their index */
};

static void log_event(const struct state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends one line to the log file, when probe.log is given. */
static void log_event(const struct state *st, const char *fmt, ...)
{
	FILE *f;
	va_list ap;

	if (!st->log)
		return;
	f = fopen(st->log, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void note_thread(struct state *st)
{
	if (!pthread_equal(st->thread, pthread_self()))
		st->other_thread = true;
}

static int list_get(struct vh_plugin_host *host, const char *key, struct list *l)
{
	const char *v;

	while ((v = vh_plugin_host_option(host, key, l->n))) {
		char **grown = realloc(l->v, (l->n + 1) * sizeof(*grown));

		if (!grown)
			return VH_ERR_NOMEM;
		l->v = grown;
		l->v[l->n] = strdup(v);
		if (!l->v[l->n])
			return VH_ERR_NOMEM;
		l->n++;
	}
	return VH_OK;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static void probe_fini(void *state)
{
	struct state *st = state;

	if (!st)
		return;
	log_event(st, "fini");
	list_free(&st->tags);
	list_free(&st->reads);
	list_free(&st->kreads);
	list_free(&st->physs);
	list_free(&st->symbols);
	list_free(&st->members);
	list_free(&st->pids);
	free(st->log);
	free(st);
}

static int probe_init(struct vh_plugin_host *host, void **state)
{
	struct state *st = calloc(1, sizeof(*st));
	const char *log;
	int err = VH_OK;

	if (!st)
		return VH_ERR_NOMEM;
	st->thread = pthread_self();
	st->vma_pid = -1;
	log = vh_plugin_host_option(host, "log", 0);
	if (log && !(st->log = strdup(log)))
		err = VH_ERR_NOMEM;
	if (!err)
		err = list_get(host, "tag", &st->tags);
	if (!err)
		err = list_get(host, "read", &st->reads);
	if (!err)
		err = list_get(host, "kread", &st->kreads);
	if (!err)
		err = list_get(host, "phys", &st->physs);
	if (!err)
		err = list_get(host, "symbol", &st->symbols);
	if (!err)
		err = list_get(host, "member", &st->members);
	if (!err)
		err = list_get(host, "pid", &st->pids);
	/* a key the plugin never declared has no value, whatever the command line says */
	if (!err && vh_plugin_host_option(host, "undeclared", 0)) {
		vh_plugin_host_error(host, "probe: an undeclared option has a value");
		err = VH_ERR_INVAL;
	}
	if (err) {
		probe_fini(st);
		return err;
	}
	log_event(st, "init");
	*state = st;
	return VH_OK;
}

/* Whether process() should read and walk this process (probe.pid, or every one). */
static bool wanted(const struct state *st, int32_t pid)
{
	if (!st->pids.n)
		return true;
	for (size_t i = 0; i < st->pids.n; i++)
		if (strtol(st->pids.v[i], NULL, 0) == pid)
			return true;
	return false;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/*
 * Reads ADDR:LEN through @space; the note is "ADDR:LEN=HEX" or
 * "ADDR:LEN=error N". Returns whether the read succeeded (its address in *at).
 */
static bool read_note(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f, const char *key,
		      int space, const char *spec, uint64_t *at)
{
	char *end;
	uint64_t addr = strtoull(spec, &end, 0);
	size_t len = *end == ':' ? strtoul(end + 1, NULL, 0) : 16;
	unsigned char buf[256];
	char text[600];
	size_t n;
	int err;

	if (len > sizeof(buf))
		len = sizeof(buf);
	n = (size_t)snprintf(text, sizeof(text), "0x%" PRIx64 ":%zu=", addr, len);
	err = vh_plugin_ctx_read(ctx, space, addr, buf, len);
	if (err)
		snprintf(text + n, sizeof(text) - n, "error %d", err);
	else
		hex(buf, len, text + n);
	vh_plugin_finding_note(f, key, text);
	if (!err && at)
		*at = addr;
	return !err;
}

/* Page runs gathered by vh_plugin_ctx_pages(). */
struct runs {
	struct vh_plugin_finding *f;
	size_t n;
	uint64_t big_start, big_len; /* the first run of three pages or more */
	uint64_t bytes, last_end;
	bool disordered; /* a run not after the one before, or touching it */
};

static int run_cb(void *arg, uint64_t start, uint64_t len)
{
	struct runs *r = arg;
	char text[64];

	if (r->n && start <= r->last_end)
		r->disordered = true;
	if (!r->big_len && len >= 3 * PAGE) {
		r->big_start = start;
		r->big_len = len;
	}
	r->n++;
	r->bytes += len;
	r->last_end = start + len;
	snprintf(text, sizeof(text), "0x%" PRIx64 "+0x%" PRIx64, start, len);
	vh_plugin_finding_note(r->f, "page_run", text);
	return 0;
}

/* Stops the walk at the first run: vh_plugin_ctx_pages() must return this. */
static int stop_cb(void *arg, uint64_t start, uint64_t len)
{
	(void)arg;
	(void)start;
	(void)len;
	return 77;
}

/* Counts runs and keeps the first, for the clipped walk. */
static int clip_cb(void *arg, uint64_t start, uint64_t len)
{
	uint64_t *v = arg;

	if (!v[2]) {
		v[0] = start;
		v[1] = len;
	}
	v[2]++;
	return 0;
}

static void pages_notes(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f)
{
	struct runs r = {.f = f};
	uint64_t clip[3] = {0};
	char text[96];
	int err = vh_plugin_ctx_pages(ctx, 0, UINT64_MAX, run_cb, &r);

	snprintf(text, sizeof(text), "%d runs=%zu bytes=0x%" PRIx64 "%s", err, r.n, r.bytes,
		 r.disordered ? " disordered" : "");
	vh_plugin_finding_note(f, "pages", text);
	if (err || !r.n)
		return;
	err = vh_plugin_ctx_pages(ctx, 0, UINT64_MAX, stop_cb, NULL);
	vh_plugin_finding_note(f, "pages_stop", err == 77 ? "ok" : "the callback's value lost");
	/* a range starting a page into a run, ending a page before its end */
	if (!r.big_len) {
		vh_plugin_finding_note(f, "pages_clip", "skipped");
		return;
	}
	err = vh_plugin_ctx_pages(ctx, r.big_start + PAGE, r.big_start + r.big_len - PAGE, clip_cb,
				  clip);
	vh_plugin_finding_note(f, "pages_clip",
			       !err && clip[2] == 1 && clip[0] == r.big_start + PAGE &&
				       clip[1] == r.big_len - 2 * PAGE
				   ? "ok"
				   : "wrong");
}

/* The host fills no byte past the struct_size a plugin gives, and says how much it filled. */
static const char *vma_size_checks(struct vh_plugin_ctx *ctx, size_t nvmas)
{
	/* a newer plugin's struct: the host's and a field the host does not know */
	struct bigger {
		struct vh_plugin_vma v;
		uint64_t future;
	} big;
	struct vh_plugin_vma full, small;
	size_t small_size = offsetof(struct vh_plugin_vma, vm_flags); /* start and end */
	unsigned char *p = (unsigned char *)&small;

	for (size_t i = 0; i < nvmas; i++) {
		memset(&full, 0, sizeof(full));
		full.struct_size = sizeof(full);
		if (vh_plugin_ctx_vma(ctx, i, &full) || full.struct_size != sizeof(full))
			return "a whole struct refused or its size changed";
		memset(&small, 0xa5, sizeof(small));
		small.struct_size = (uint32_t)small_size;
		if (vh_plugin_ctx_vma(ctx, i, &small))
			return "a struct of start and end refused";
		if (small.start != full.start || small.end != full.end ||
		    small.struct_size != small_size)
			return "a struct of start and end filled wrongly";
		for (size_t k = small_size; k < sizeof(small); k++)
			if (p[k] != 0xa5)
				return "a byte past a small struct_size written";
		memset(&big, 0xa5, sizeof(big));
		big.v.struct_size = sizeof(big);
		if (vh_plugin_ctx_vma(ctx, i, &big.v))
			return "a bigger struct refused";
		if (big.v.start != full.start || big.v.end != full.end ||
		    strcmp(big.v.path, full.path) || big.v.struct_size != sizeof(full))
			return "a bigger struct filled wrongly, or its struct_size not the host's";
		if (big.future != 0xa5a5a5a5a5a5a5a5ull)
			return "a field past the host's struct written";
	}
	small.struct_size = offsetof(struct vh_plugin_vma, start) - 1;
	if (nvmas && vh_plugin_ctx_vma(ctx, 0, &small) != VH_ERR_INVAL)
		return "a struct_size without room for start accepted";
	full.struct_size = sizeof(full);
	if (vh_plugin_ctx_vma(ctx, nvmas, &full) != VH_ERR_INVAL)
		return "an index past the last VMA accepted";
	return "ok";
}

static int probe_process(void *state, struct vh_plugin_ctx *ctx)
{
	struct state *st = state;
	size_t nvmas = vh_plugin_ctx_nvmas(ctx);
	int32_t pid = vh_plugin_ctx_pid(ctx);
	struct vh_plugin_vma first = {.struct_size = sizeof(first)};
	struct vh_plugin_vma last = {.struct_size = sizeof(last)};
	struct vh_plugin_finding *f;
	uint64_t at = 0;
	char text[64];

	note_thread(st);
	st->processes++;
	log_event(st, "process %" PRId32, pid);
	if (nvmas) {
		vh_plugin_ctx_vma(ctx, 0, &first);
		vh_plugin_ctx_vma(ctx, nvmas - 1, &last);
	}
	f = vh_plugin_finding_new(ctx, "probe", VH_PLUGIN_SEV_INFO, first.start, last.end,
				  "probe: the process");
	snprintf(text, sizeof(text), "%" PRId32, pid);
	vh_plugin_finding_note(f, "pid", text);
	vh_plugin_finding_note(f, "comm", vh_plugin_ctx_comm(ctx));
	snprintf(text, sizeof(text), "%zu", nvmas);
	vh_plugin_finding_note(f, "nvmas", text);
	vh_plugin_finding_note(f, "user_pages", vh_plugin_ctx_user_pages(ctx) ? "yes" : "no");
	vh_plugin_finding_note(f, "vma_sizes", vma_size_checks(ctx, nvmas));
	if (wanted(st, pid)) {
		for (size_t i = 0; i < st->reads.n; i++)
			read_note(ctx, f, "read", VH_PLUGIN_SPACE_USER, st->reads.v[i],
				  at ? NULL : &at);
		pages_notes(ctx, f);
		/* the host reads the bytes at the first address read back */
		if (at)
			vh_plugin_finding_evidence(f, at);
	}
	return vh_plugin_finding_emit(f);
}

/* vh_plugin_vma fields in the layout of the truth files: start end perms offset dev inode path. */
static void render(const struct vh_plugin_vma *v, char *out, size_t len)
{
	snprintf(out, len, "0x%" PRIx64 " 0x%" PRIx64 " %s 0x%" PRIx64 " %02x:%02x %" PRIu64 " %s",
		 v->start, v->end, v->perms, v->offset, v->dev_major, v->dev_minor, v->inode,
		 v->path);
}

static int probe_vma(void *state, struct vh_plugin_ctx *ctx, const struct vh_plugin_vma *v)
{
	struct state *st = state;
	struct vh_plugin_vma mine = {.struct_size = sizeof(mine)};
	struct vh_plugin_finding *f;
	char line[4200], flags[32], idx[32];
	int32_t pid = vh_plugin_ctx_pid(ctx);

	note_thread(st);
	if (pid != st->vma_pid) {
		st->vma_pid = pid;
		st->vma_next = 0;
	}
	/* the argument is the VMA of the index the calls have reached, in address order */
	if (vh_plugin_ctx_vma(ctx, st->vma_next, &mine) || mine.start != v->start ||
	    mine.end != v->end || strcmp(mine.path, v->path) || mine.vm_flags != v->vm_flags)
		st->vma_mismatch++;
	snprintf(idx, sizeof(idx), "%zu", st->vma_next++);
	render(v, line, sizeof(line));
	snprintf(flags, sizeof(flags), "0x%" PRIx64, v->vm_flags);
	f = vh_plugin_finding_new(ctx, "probe-vma", VH_PLUGIN_SEV_INFO, v->start, v->end,
				  "probe: a VMA");
	vh_plugin_finding_note(f, "map", line);
	vh_plugin_finding_note(f, "index", idx);
	vh_plugin_finding_note(f, "vm_flags", flags);
	snprintf(flags, sizeof(flags), "%" PRIu32, v->struct_size);
	vh_plugin_finding_note(f, "struct_size", flags);
	return vh_plugin_finding_emit(f);
}

/* One finding saying the process ran through a detector with needs @id. */
static int needs_finding(struct vh_plugin_ctx *ctx, const char *id)
{
	return vh_plugin_finding_emit(
	    vh_plugin_finding_new(ctx, id, VH_PLUGIN_SEV_INFO, 0, 0, "probe: ran"));
}

static int probe_content(void *state, struct vh_plugin_ctx *ctx)
{
	note_thread(state);
	return needs_finding(ctx, "probe-content");
}

static int probe_kernel(void *state, struct vh_plugin_ctx *ctx)
{
	note_thread(state);
	return needs_finding(ctx, "probe-kernel");
}

static void fact_note(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f, const char *name)
{
	char key[32];
	const char *v = vh_plugin_ctx_fact(ctx, name);

	/* note keys are [a-z0-9_]: a fact's name may have a '-' */
	snprintf(key, sizeof(key), "fact_%s", name);
	for (char *k = key; *k; k++)
		if (*k == '-')
			*k = '_';
	vh_plugin_finding_note(f, key, v ? v : "(null)");
}

/* init_task's comm, read through the kernel space with the symbol and the member offset. */
static void init_task_notes(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f)
{
	uint64_t addr, off;
	char comm[17] = "", text[64];
	int err = vh_plugin_ctx_symbol(ctx, "init_task", &addr);

	if (err) {
		snprintf(text, sizeof(text), "error %d", err);
		vh_plugin_finding_note(f, "init_task", text);
		return;
	}
	snprintf(text, sizeof(text), "0x%" PRIx64, addr);
	vh_plugin_finding_note(f, "init_task", text);
	err = vh_plugin_ctx_member_offset(ctx, "task_struct.comm", &off);
	if (!err)
		err = vh_plugin_ctx_read(ctx, VH_PLUGIN_SPACE_KERNEL, addr + off, comm, 16);
	if (err)
		snprintf(text, sizeof(text), "error %d", err);
	else
		snprintf(text, sizeof(text), "%s", comm);
	vh_plugin_finding_note(f, "init_task_comm", text);
}

static void lookup_notes(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f,
			 const struct state *st)
{
	char text[300];
	uint64_t v;

	for (size_t i = 0; i < st->symbols.n; i++) {
		int err = vh_plugin_ctx_symbol(ctx, st->symbols.v[i], &v);

		if (err)
			snprintf(text, sizeof(text), "%s=error %d", st->symbols.v[i], err);
		else
			snprintf(text, sizeof(text), "%s=0x%" PRIx64, st->symbols.v[i], v);
		vh_plugin_finding_note(f, "symbol", text);
	}
	for (size_t i = 0; i < st->members.n; i++) {
		int err = vh_plugin_ctx_member_offset(ctx, st->members.v[i], &v);

		if (err)
			snprintf(text, sizeof(text), "%s=error %d", st->members.v[i], err);
		else
			snprintf(text, sizeof(text), "%s=%" PRIu64, st->members.v[i], v);
		vh_plugin_finding_note(f, "member", text);
	}
	for (size_t i = 0; i < st->kreads.n; i++)
		read_note(ctx, f, "kread", VH_PLUGIN_SPACE_KERNEL, st->kreads.v[i], NULL);
	for (size_t i = 0; i < st->physs.n; i++)
		read_note(ctx, f, "phys", VH_PLUGIN_SPACE_PHYS, st->physs.v[i], NULL);
}

/* What finish() sees of the process calls (none), and the findings the host must refuse. */
static void error_path_notes(struct vh_plugin_ctx *ctx, struct vh_plugin_finding *f)
{
	struct vh_plugin_vma v = {.struct_size = sizeof(v)};
	struct vh_plugin_finding *bad;
	unsigned char b;
	char text[64];

	snprintf(text, sizeof(text), "%d", vh_plugin_ctx_read(ctx, VH_PLUGIN_SPACE_USER, 0, &b, 1));
	vh_plugin_finding_note(f, "finish_user_read", text);
	snprintf(text, sizeof(text), "%d", vh_plugin_ctx_pages(ctx, 0, UINT64_MAX, stop_cb, NULL));
	vh_plugin_finding_note(f, "finish_pages", text);
	snprintf(text, sizeof(text), "%d", vh_plugin_ctx_vma(ctx, 0, &v));
	vh_plugin_finding_note(f, "finish_vma", text);
	snprintf(text, sizeof(text), "%d", vh_plugin_ctx_read(ctx, 99, 0, &b, 1));
	vh_plugin_finding_note(f, "bad_space", text);
	bad = vh_plugin_finding_new(ctx, "anon-rwx", VH_PLUGIN_SEV_HIGH, 0, 0, "not mine");
	snprintf(text, sizeof(text), "%d", vh_plugin_finding_emit(bad));
	vh_plugin_finding_note(f, "foreign_detector", text);
	bad = vh_plugin_finding_new(ctx, "probe", 9, 0, 0, "bad severity");
	snprintf(text, sizeof(text), "%d", vh_plugin_finding_emit(bad));
	vh_plugin_finding_note(f, "bad_severity", text);
	bad = vh_plugin_finding_new(ctx, "probe", VH_PLUGIN_SEV_LOW, 0, 0, "bad key");
	vh_plugin_finding_note(bad, "Bad Key", "x");
	snprintf(text, sizeof(text), "%d", vh_plugin_finding_emit(bad));
	vh_plugin_finding_note(f, "bad_key", text);
	/* NULL is what a failed vh_plugin_finding_new() gives: every call takes it */
	vh_plugin_finding_note(NULL, "k", "v");
	vh_plugin_finding_evidence(NULL, 0);
	snprintf(text, sizeof(text), "%d", vh_plugin_finding_emit(NULL));
	vh_plugin_finding_note(f, "emit_null", text);
}

static int probe_finish(void *state, struct vh_plugin_ctx *ctx)
{
	struct state *st = state;
	struct vh_plugin_finding *f, *many;
	char text[64];
	int err;

	note_thread(st);
	log_event(st, "finish");
	vh_plugin_ctx_warn(ctx, "finish after %zu processes", st->processes);
	f = vh_plugin_finding_new(ctx, "probe", VH_PLUGIN_SEV_LOW, 0, 0, "probe: the run");
	snprintf(text, sizeof(text), "%" PRId32, vh_plugin_ctx_pid(ctx));
	vh_plugin_finding_note(f, "pid", text);
	vh_plugin_finding_note(f, "comm", vh_plugin_ctx_comm(ctx));
	snprintf(text, sizeof(text), "%zu", vh_plugin_ctx_nvmas(ctx));
	vh_plugin_finding_note(f, "nvmas", text);
	snprintf(text, sizeof(text), "%zu", st->processes);
	vh_plugin_finding_note(f, "processes", text);
	fact_note(ctx, f, "format");
	fact_note(ctx, f, "arch");
	fact_note(ctx, f, "osrelease");
	fact_note(ctx, f, "source");
	fact_note(ctx, f, "file");
	fact_note(ctx, f, "no-such-fact");
	for (size_t i = 0; i < st->tags.n; i++)
		vh_plugin_finding_note(f, "tag", st->tags.v[i]);
	init_task_notes(ctx, f);
	lookup_notes(ctx, f, st);
	error_path_notes(ctx, f);
	snprintf(text, sizeof(text), "%zu", st->vma_mismatch);
	vh_plugin_finding_note(f, "vma_mismatch", text);
	vh_plugin_finding_note(f, "one_thread", st->other_thread ? "no" : "yes");
	/* control bytes in a value are the host's to escape when it prints */
	vh_plugin_finding_note(f, "control",
			       "a\tb\x01"
			       "c");
	err = vh_plugin_finding_emit(f);
	if (err)
		return err;
	/* more notes than the host keeps: it must count the rest, not drop them silently */
	many = vh_plugin_finding_new(ctx, "probe", VH_PLUGIN_SEV_INFO, 0, 0, "probe: many notes");
	for (int i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "%d", i);
		vh_plugin_finding_note(many, "n", text);
	}
	return vh_plugin_finding_emit(many);
}

static const char *const options[] = {"tag",	"read", "kread", "phys", "symbol",
				      "member", "pid",	"log",	 NULL};

static const struct vh_plugin_detector detectors[] = {
    {
	.struct_size = sizeof(struct vh_plugin_detector),
	.id = "probe",
	.summary = "probe: every call of the plugin ABI",
	.process = probe_process,
	.finish = probe_finish,
    },
    {
	.struct_size = sizeof(struct vh_plugin_detector),
	.id = "probe-vma",
	.summary = "probe: every VMA as a plugin sees it",
	.vma = probe_vma,
    },
    {
	.struct_size = sizeof(struct vh_plugin_detector),
	.id = "probe-content",
	.summary = "probe: runs only with user pages",
	.needs = VH_PLUGIN_NEEDS_CONTENT,
	.process = probe_content,
    },
    {
	.struct_size = sizeof(struct vh_plugin_detector),
	.id = "probe-kernel",
	.summary = "probe: runs only on kernel dumps",
	.needs = VH_PLUGIN_NEEDS_KERNEL,
	.process = probe_kernel,
    },
};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = "probe",
    .version = "0.1",
    .summary = "test plugin: every ABI call, turned into findings",
    .options = options,
    .detectors = detectors,
    .ndetectors = sizeof(detectors) / sizeof(detectors[0]),
    .init = probe_init,
    .fini = probe_fini,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
