/* SPDX-License-Identifier: MIT */
/*
 * The yara plugin: YARA rules over every process's memory, with libyara.
 *
 * Options: yara.rules=FILE|DIR (repeatable; a folder means its *.yar and
 * *.yara files, in name order; each file is YARA source, compiled here, or
 * rules compiled by yarac, told apart by their "YARA" magic) and
 * yara.max_matches=N (matches listed per finding, 8 by default).
 *
 * A region is a VMA, or a run of present pages outside every VMA (hidden
 * pages). Each region's pages that the dump holds are handed to libyara as
 * memory blocks whose base is their virtual address, so match offsets are
 * process addresses. One finding per rule that matches a region.
 *
 * Bounds: a block is at most BLOCK_MAX bytes of consecutive pages, read into
 * one buffer the plugin reuses, so memory stays at BLOCK_MAX whatever the
 * size of a region; no region is left out for its size, so time grows with
 * the bytes the dump holds. As with yara's own process scan, a match that
 * would cross a block boundary (a page the dump lacks, or every BLOCK_MAX
 * bytes of a long run) is not found. Regions with no page in the dump are not
 * scanned (a rule needing no bytes would otherwise match every one of them).
 */
#include <vmahunt/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <yara.h>

#define VM_EXEC		    0x4u
#define PAGE_SIZE	    4096u
#define BLOCK_MAX	    (16u << 20) /* bytes of one memory block, and of the buffer */
#define MAX_MATCHES_DEFAULT 8
#define MATCH_BYTES	    32 /* bytes of a match shown in its note */

/* A run of present pages [start, end). */
struct run {
	uint64_t start, end;
};

/* One set of rules: all the source files compiled together, or one compiled file. */
struct ruleset {
	YR_RULES *rules;
	YR_SCANNER *scanner;
};

struct state {
	struct ruleset *sets;
	size_t nsets;
	size_t max_matches;
	bool yr_inited;
	unsigned char *buf; /* BLOCK_MAX bytes, allocated on the first scan */
	/* the process being scanned */
	struct run *runs; /* its present pages, in address order */
	size_t nruns, cap;
	bool pages_ok;	  /* runs holds its pages (the page walk worked) */
	size_t vmas_seen; /* vma() calls so far */
	uint64_t gap;	  /* end of the VMAs seen: hidden pages start here */
	uint64_t absent;  /* pages in the page tables the dump lacks */
	bool too_many;	  /* a string matched too often (warned once) */
};

/* ---- rules ---- */

/* The first error libyara's compiler reports: file, line and message. */
struct compile_err {
	char msg[480];
	bool set;
};

static void compile_cb(int level, const char *file, int line, const YR_RULE *rule,
		       const char *message, void *arg)
{
	struct compile_err *e = arg;

	(void)rule;
	if (level != YARA_ERROR_LEVEL_ERROR || e->set)
		return;
	snprintf(e->msg, sizeof(e->msg), "yara.rules: %s:%d: %s", file ? file : "?", line, message);
	e->set = true;
}

static int add_set(struct state *st, YR_RULES *rules)
{
	struct ruleset *grown = realloc(st->sets, (st->nsets + 1) * sizeof(*grown));
	YR_SCANNER *sc = NULL;

	if (!grown || yr_scanner_create(rules, &sc) != ERROR_SUCCESS) {
		if (grown)
			st->sets = grown;
		yr_rules_destroy(rules);
		return VH_ERR_NOMEM;
	}
	st->sets = grown;
	yr_scanner_set_flags(sc, SCAN_FLAGS_PROCESS_MEMORY | SCAN_FLAGS_REPORT_RULES_MATCHING);
	st->sets[st->nsets].rules = rules;
	st->sets[st->nsets++].scanner = sc;
	return VH_OK;
}

/* Whether @path starts with yarac's magic (compiled rules). */
static int is_compiled(struct vh_plugin_host *host, const char *path, bool *compiled)
{
	char magic[4] = {0};
	FILE *f = fopen(path, "rb");

	if (!f) {
		vh_plugin_host_error(host, "yara.rules: %s: %s", path, strerror(errno));
		return VH_ERR_IO;
	}
	*compiled = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
		    !memcmp(magic, "YARA", sizeof(magic));
	fclose(f);
	return VH_OK;
}

static int load_compiled(struct state *st, struct vh_plugin_host *host, const char *path)
{
	YR_RULES *rules = NULL;
	int err = yr_rules_load(path, &rules);

	if (err == ERROR_INSUFFICIENT_MEMORY)
		return VH_ERR_NOMEM;
	if (err != ERROR_SUCCESS) {
		vh_plugin_host_error(
		    host, "yara.rules: %s: compiled rules this libyara cannot load (%s)", path,
		    err == ERROR_UNSUPPORTED_FILE_VERSION ? "another yara version"
		    : err == ERROR_CORRUPT_FILE		  ? "corrupt file"
							  : "invalid file");
		return VH_ERR_FORMAT;
	}
	return add_set(st, rules);
}

/* The namespace of a source file: its name without folder and extension. */
static void namespace_of(const char *path, char *ns, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(ns, len, "%s", base ? base + 1 : path);
	dot = strrchr(ns, '.');
	if (dot && dot != ns)
		*dot = '\0';
}

static int compile_source(YR_COMPILER *c, struct compile_err *ce, struct vh_plugin_host *host,
			  const char *path)
{
	char ns[256];
	FILE *f = fopen(path, "r");
	int nerr;

	if (!f) {
		vh_plugin_host_error(host, "yara.rules: %s: %s", path, strerror(errno));
		return VH_ERR_IO;
	}
	namespace_of(path, ns, sizeof(ns));
	nerr = yr_compiler_add_file(c, f, ns, path);
	fclose(f);
	if (!nerr)
		return VH_OK;
	vh_plugin_host_error(host, "%s", ce->set ? ce->msg : "yara.rules: compile error");
	return VH_ERR_FORMAT;
}

/* The rules files: the ones given, folders replaced by their *.yar and *.yara. */
struct files {
	char **v;
	size_t n;
};

static int files_add(struct files *fs, const char *dir, const char *name)
{
	char **grown = realloc(fs->v, (fs->n + 1) * sizeof(*grown));
	size_t len = strlen(name) + (dir ? strlen(dir) + 2 : 1);

	if (!grown)
		return VH_ERR_NOMEM;
	fs->v = grown;
	fs->v[fs->n] = malloc(len);
	if (!fs->v[fs->n])
		return VH_ERR_NOMEM;
	if (dir)
		snprintf(fs->v[fs->n], len, "%s/%s", dir, name);
	else
		snprintf(fs->v[fs->n], len, "%s", name);
	fs->n++;
	return VH_OK;
}

static void files_free(struct files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i]);
	free(fs->v);
}

static int rules_file_name(const struct dirent *e)
{
	const char *dot = strrchr(e->d_name, '.');

	return e->d_name[0] != '.' && dot && (!strcmp(dot, ".yar") || !strcmp(dot, ".yara"));
}

static int files_add_dir(struct files *fs, struct vh_plugin_host *host, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, rules_file_name, alphasort), err = VH_OK;

	if (n < 0) {
		vh_plugin_host_error(host, "yara.rules: %s: %s", dir, strerror(errno));
		return VH_ERR_IO;
	}
	if (n == 0) {
		vh_plugin_host_error(host, "yara.rules: %s: no *.yar or *.yara file in the folder",
				     dir);
		err = VH_ERR_INVAL;
	}
	for (int i = 0; i < n; i++) {
		if (!err)
			err = files_add(fs, dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return err;
}

static int gather_files(struct vh_plugin_host *host, struct files *fs)
{
	const char *p;
	int err = VH_OK;
	struct stat sb;

	for (size_t i = 0; !err && (p = vh_plugin_host_option(host, "rules", i)); i++) {
		if (stat(p, &sb)) {
			vh_plugin_host_error(host, "yara.rules: %s: %s", p, strerror(errno));
			return VH_ERR_IO;
		}
		err = S_ISDIR(sb.st_mode) ? files_add_dir(fs, host, p) : files_add(fs, NULL, p);
	}
	if (!err && !fs->n) {
		vh_plugin_host_error(host, "yara: no rules: give --plugin-opt yara.rules=FILE|DIR");
		return VH_ERR_INVAL;
	}
	return err;
}

/* Source files into @c (one set at the end), compiled files each a set of their own. */
static int load_files(struct state *st, struct vh_plugin_host *host, const struct files *fs,
		      YR_COMPILER *c, struct compile_err *ce, bool *sources)
{
	int err = VH_OK;

	for (size_t i = 0; !err && i < fs->n; i++) {
		bool compiled = false;

		err = is_compiled(host, fs->v[i], &compiled);
		if (!err && compiled)
			err = load_compiled(st, host, fs->v[i]);
		else if (!err) {
			err = compile_source(c, ce, host, fs->v[i]);
			*sources = true;
		}
	}
	return err;
}

static int load_rules(struct state *st, struct vh_plugin_host *host)
{
	struct files fs = {0};
	struct compile_err ce = {.set = false};
	YR_COMPILER *c = NULL;
	YR_RULES *rules = NULL;
	bool sources = false;
	int err = gather_files(host, &fs);

	if (!err && yr_compiler_create(&c) != ERROR_SUCCESS)
		err = VH_ERR_NOMEM;
	if (!err) {
		yr_compiler_set_callback(c, compile_cb, &ce);
		err = load_files(st, host, &fs, c, &ce, &sources);
	}
	if (!err && sources)
		err = yr_compiler_get_rules(c, &rules) == ERROR_SUCCESS ? add_set(st, rules)
									: VH_ERR_NOMEM;
	if (c)
		yr_compiler_destroy(c);
	files_free(&fs);
	return err;
}

static int parse_max_matches(struct state *st, struct vh_plugin_host *host)
{
	const char *v = vh_plugin_host_option(host, "max_matches", 0);
	char *end;
	unsigned long n;

	st->max_matches = MAX_MATCHES_DEFAULT;
	if (!v)
		return VH_OK;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n == 0 || n > 1000) {
		vh_plugin_host_error(host,
				     "yara.max_matches=%s: a number from 1 to 1000 is expected", v);
		return VH_ERR_INVAL;
	}
	st->max_matches = n;
	return VH_OK;
}

static void yara_fini(void *state)
{
	struct state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->nsets; i++) {
		yr_scanner_destroy(st->sets[i].scanner);
		yr_rules_destroy(st->sets[i].rules);
	}
	free(st->sets);
	free(st->runs);
	free(st->buf);
	if (st->yr_inited)
		yr_finalize();
	free(st);
}

static int yara_init(struct vh_plugin_host *host, void **state)
{
	struct state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return VH_ERR_NOMEM;
	err = parse_max_matches(st, host);
	if (!err && yr_initialize() != ERROR_SUCCESS) {
		vh_plugin_host_error(host, "yara: libyara failed to initialise");
		err = VH_ERR_NOMEM;
	}
	st->yr_inited = !err;
	if (!err)
		err = load_rules(st, host);
	if (err) {
		yara_fini(st);
		return err;
	}
	*state = st;
	return VH_OK;
}

/* ---- the process's present pages ---- */

static int add_run(void *arg, uint64_t start, uint64_t len)
{
	struct state *st = arg;

	if (st->nruns && st->runs[st->nruns - 1].end == start) {
		st->runs[st->nruns - 1].end = start + len;
		return VH_OK;
	}
	if (st->nruns == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 256;
		struct run *grown = realloc(st->runs, cap * sizeof(*grown));

		if (!grown)
			return VH_ERR_NOMEM;
		st->runs = grown;
		st->cap = cap;
	}
	st->runs[st->nruns++] = (struct run){start, start + len};
	return VH_OK;
}

static int run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The first run ending after @addr (runs are sorted and disjoint). */
static size_t run_after(const struct state *st, uint64_t addr)
{
	size_t lo = 0, hi = st->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->runs[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- memory blocks ---- */

/* libyara's iterator over the present pages of one region [lo, hi). */
struct blockit {
	YR_MEMORY_BLOCK_ITERATOR it;
	YR_MEMORY_BLOCK blk;
	struct vh_plugin_ctx *ctx;
	const struct state *st;
	uint64_t lo, hi;
	size_t ri;	 /* current run */
	uint64_t pos;	 /* next address to read */
	bool counted;	 /* one pass done: absent pages are counted once */
	uint64_t absent; /* pages of the region the dump lacks */
	unsigned char *buf;
};

static const uint8_t *block_data(YR_MEMORY_BLOCK *blk)
{
	return ((struct blockit *)blk->context)->buf;
}

/* Reads consecutive pages from bi->pos into the buffer; returns the bytes read. */
static size_t fill_block(struct blockit *bi, uint64_t end)
{
	size_t n = 0;

	while (bi->pos < end && n < BLOCK_MAX) {
		uint64_t next = (bi->pos & ~(uint64_t)(PAGE_SIZE - 1)) + PAGE_SIZE;
		size_t len = (size_t)((next < end ? next : end) - bi->pos);

		if (vh_plugin_ctx_read(bi->ctx, VH_PLUGIN_SPACE_USER, bi->pos, bi->buf + n, len)) {
			if (n) /* the block ends here; the page is counted on the next call */
				return n;
			bi->absent += !bi->counted;
			bi->pos += len;
			continue;
		}
		n += len;
		bi->pos += len;
	}
	return n;
}

static YR_MEMORY_BLOCK *block_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct blockit *bi = it->context;

	it->last_error = ERROR_SUCCESS;
	for (; bi->ri < bi->st->nruns && bi->st->runs[bi->ri].start < bi->hi; bi->ri++) {
		const struct run *r = &bi->st->runs[bi->ri];
		uint64_t end = r->end < bi->hi ? r->end : bi->hi;
		size_t n;

		if (bi->pos < r->start)
			bi->pos = r->start;
		n = bi->pos < end ? fill_block(bi, end) : 0;
		if (n) {
			bi->blk.base = bi->pos - n;
			bi->blk.size = n;
			return &bi->blk;
		}
	}
	bi->counted = true;
	return NULL;
}

/* libyara walks the blocks again to evaluate uint32(addr) and the like. */
static YR_MEMORY_BLOCK *block_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct blockit *bi = it->context;

	bi->ri = run_after(bi->st, bi->lo);
	bi->pos = bi->lo;
	return block_next(it);
}

/* ---- findings ---- */

/* A region being scanned and what its findings need. */
struct region {
	uint64_t start, end;
	bool hidden;
	bool exec;
	struct vh_plugin_ctx *ctx;
	struct state *st;
	const struct blockit *bi;
	int err; /* of emitting a finding */
};

static int severity_of(const YR_RULE *rule)
{
	static const struct {
		const char *name;
		int sev;
	} names[] = {{"info", VH_PLUGIN_SEV_INFO},
		     {"low", VH_PLUGIN_SEV_LOW},
		     {"medium", VH_PLUGIN_SEV_MEDIUM},
		     {"high", VH_PLUGIN_SEV_HIGH},
		     {"critical", VH_PLUGIN_SEV_HIGH}};
	const YR_META *m;

	yr_rule_metas_foreach(rule, m)
	{
		if (m->type != META_TYPE_STRING || strcmp(m->identifier, "severity"))
			continue;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcasecmp(m->string, names[i].name))
				return names[i].sev;
	}
	return VH_PLUGIN_SEV_MEDIUM;
}

static void note_metas(struct vh_plugin_finding *f, const YR_RULE *rule)
{
	const YR_META *m;
	const char *tag;
	char v[512];

	yr_rule_tags_foreach(rule, tag)
	{
		vh_plugin_finding_note(f, "tag", tag);
	}
	yr_rule_metas_foreach(rule, m)
	{
		if (m->type == META_TYPE_STRING)
			snprintf(v, sizeof(v), "%s=%s", m->identifier, m->string);
		else if (m->type == META_TYPE_BOOLEAN)
			snprintf(v, sizeof(v), "%s=%s", m->identifier,
				 m->integer ? "true" : "false");
		else
			snprintf(v, sizeof(v), "%s=%" PRId64, m->identifier, m->integer);
		vh_plugin_finding_note(f, "meta", v);
	}
}

/*
 * A match of a string, copied: libyara 4.2 allocates its matches without
 * aligning them (fixed upstream in VirusTotal/yara#1930), so a YR_MATCH is
 * read by memcpy, never through its pointer.
 */
struct match {
	const void *at; /* libyara's YR_MATCH, NULL: none */
	YR_MATCH m;	/* its copy when @at */
	uint64_t addr;	/* m.base + m.offset */
};

/* @c made the next match of @s after @c->at (its first when NULL), private ones skipped. */
static void next_match(YR_SCAN_CONTEXT *sc, const YR_STRING *s, struct match *c)
{
	const void *p = c->at ? (const void *)c->m.next : (const void *)sc->matches[s->idx].head;

	for (c->at = p; c->at; c->at = c->m.next) {
		memcpy(&c->m, c->at, sizeof(c->m));
		if (!c->m.is_private)
			break;
	}
	if (c->at)
		c->addr = (uint64_t)(c->m.base + c->m.offset);
}

static void note_match(struct vh_plugin_finding *f, const YR_STRING *s, const struct match *c)
{
	char v[128 + 2 * MATCH_BYTES];
	int n = snprintf(v, sizeof(v), "%s 0x%" PRIx64 " ", s->identifier, c->addr);
	int show = c->m.data_length < MATCH_BYTES ? c->m.data_length : MATCH_BYTES;

	for (int i = 0; i < show; i++)
		n += snprintf(v + n, sizeof(v) - (size_t)n, "%02x", c->m.data[i]);
	if (c->m.match_length > show)
		snprintf(v + n, sizeof(v) - (size_t)n, "...");
	vh_plugin_finding_note(f, "match", v);
}

/* Strings of one rule whose matches are merged by address (more: counted, not listed). */
#define MERGE_MAX 64

/*
 * The first @max matches of @rule by address, merged from its strings' lists
 * (each sorted by address); returns how many matches there are in all and
 * sets @first to the lowest address.
 */
static size_t note_matches(struct vh_plugin_finding *f, YR_SCAN_CONTEXT *sc, const YR_RULE *rule,
			   size_t max, uint64_t *first)
{
	struct match cur[MERGE_MAX];
	const YR_STRING *str[MERGE_MAX];
	const YR_STRING *s;
	size_t ns = 0, total = 0, shown = 0;

	yr_rule_strings_foreach(rule, s)
	{
		struct match c = {.at = NULL};

		next_match(sc, s, &c);
		if (c.at && ns < MERGE_MAX) {
			cur[ns] = c;
			str[ns++] = s;
		}
		for (; c.at; next_match(sc, s, &c))
			total++;
	}
	while (shown < max) {
		size_t best = ns;

		for (size_t i = 0; i < ns; i++)
			if (cur[i].at && (best == ns || cur[i].addr < cur[best].addr))
				best = i;
		if (best == ns)
			break;
		if (!shown++)
			*first = cur[best].addr;
		note_match(f, str[best], &cur[best]);
		next_match(sc, str[best], &cur[best]);
	}
	return total;
}

static int emit_rule(struct region *r, YR_SCAN_CONTEXT *sc, const YR_RULE *rule)
{
	char reason[300], count[64];
	struct vh_plugin_finding *f;
	uint64_t first = 0;
	size_t total;

	snprintf(reason, sizeof(reason), "YARA rule %s matched", rule->identifier);
	f = vh_plugin_finding_new(r->ctx, "yara", severity_of(rule), r->start, r->end, reason);
	vh_plugin_finding_note(f, "rule", rule->identifier);
	vh_plugin_finding_note(f, "namespace", rule->ns->name);
	note_metas(f, rule);
	total = note_matches(f, sc, rule, r->st->max_matches, &first);
	snprintf(count, sizeof(count), "%zu", total);
	vh_plugin_finding_note(f, "matches", count);
	vh_plugin_finding_note(f, "region", r->hidden ? "hidden" : "vma");
	if (r->bi->absent) {
		snprintf(count, sizeof(count), "%" PRIu64, r->bi->absent);
		vh_plugin_finding_note(f, "pages_absent", count);
	}
	if (r->exec && total)
		vh_plugin_finding_evidence(f, first);
	return vh_plugin_finding_emit(f);
}

static int scan_cb(YR_SCAN_CONTEXT *sc, int msg, void *data, void *arg)
{
	struct region *r = arg;

	if (msg == CALLBACK_MSG_TOO_MANY_MATCHES && !r->st->too_many) {
		r->st->too_many = true;
		vh_plugin_ctx_warn(r->ctx,
				   "YARA string %s matched too often: later matches not recorded",
				   ((const YR_STRING *)data)->identifier);
	}
	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	r->err = emit_rule(r, sc, data);
	return r->err ? CALLBACK_ABORT : CALLBACK_CONTINUE;
}

/* ---- scanning ---- */

static int scan_error(struct region *r, int yerr)
{
	if (yerr == ERROR_INSUFFICIENT_MEMORY)
		return VH_ERR_NOMEM;
	vh_plugin_ctx_warn(r->ctx, "YARA scan of 0x%" PRIx64 "-0x%" PRIx64 " failed (error %d)",
			   r->start, r->end, yerr);
	return VH_OK;
}

/* Every rule set over [start, end), when the dump holds a page of it. */
static int scan_region(struct state *st, struct vh_plugin_ctx *ctx, uint64_t start, uint64_t end,
		       bool hidden, bool exec)
{
	struct blockit bi = {.ctx = ctx, .st = st, .lo = start, .hi = end};
	struct region r = {start, end, hidden, exec, ctx, st, &bi, VH_OK};
	size_t ri = run_after(st, start);

	if (ri >= st->nruns || st->runs[ri].start >= end)
		return VH_OK; /* nothing of it in the dump */
	if (!st->buf && !(st->buf = malloc(BLOCK_MAX)))
		return VH_ERR_NOMEM;
	bi.buf = st->buf;
	bi.blk.context = &bi;
	bi.blk.fetch_data = block_data;
	bi.it.context = &bi;
	bi.it.first = block_first;
	bi.it.next = block_next;
	for (size_t i = 0; i < st->nsets && !r.err; i++) {
		int yerr;

		yr_scanner_set_callback(st->sets[i].scanner, scan_cb, &r);
		yerr = yr_scanner_scan_mem_blocks(st->sets[i].scanner, &bi.it);
		if (yerr != ERROR_SUCCESS && !r.err)
			r.err = scan_error(&r, yerr);
	}
	st->absent += bi.absent;
	return r.err;
}

/* Each run of present pages in [start, end), outside every VMA: a hidden region each. */
static int scan_hidden(struct state *st, struct vh_plugin_ctx *ctx, uint64_t start, uint64_t end)
{
	int err = VH_OK;

	if (start >= end)
		return VH_OK;
	for (size_t i = run_after(st, start); !err && i < st->nruns && st->runs[i].start < end;
	     i++) {
		uint64_t s = st->runs[i].start > start ? st->runs[i].start : start;
		uint64_t e = st->runs[i].end < end ? st->runs[i].end : end;

		err = scan_region(st, ctx, s, e, true, false);
	}
	return err;
}

/* After the process's last region: the pages it could not scan, said once. */
static void end_process(struct state *st, struct vh_plugin_ctx *ctx)
{
	if (st->absent)
		vh_plugin_ctx_warn(ctx,
				   "%" PRIu64 " page(s) mapped by the process are absent from the "
				   "dump: not scanned",
				   st->absent);
}

static int yara_process(void *state, struct vh_plugin_ctx *ctx)
{
	struct state *st = state;
	int err;

	st->nruns = 0;
	st->vmas_seen = 0;
	st->gap = 0;
	st->absent = 0;
	st->pages_ok = false;
	err = vh_plugin_ctx_pages(ctx, 0, UINT64_MAX, add_run, st);
	if (err == VH_ERR_NOT_MAPPED)
		return VH_OK; /* no page tables: the host said so; nothing to read */
	if (err)
		return err;
	qsort(st->runs, st->nruns, sizeof(*st->runs), run_cmp); /* a core's segments may not be */
	st->pages_ok = true;
	if (vh_plugin_ctx_nvmas(ctx))
		return VH_OK;
	err = scan_hidden(st, ctx, 0, UINT64_MAX);
	end_process(st, ctx);
	return err;
}

/* The hidden pages before @v, @v itself, and after the last VMA the hidden pages above. */
static int yara_vma(void *state, struct vh_plugin_ctx *ctx, const struct vh_plugin_vma *v)
{
	struct state *st = state;
	int err;

	if (!st->pages_ok)
		return VH_OK;
	err = scan_hidden(st, ctx, st->gap, v->start);
	if (!err)
		err = scan_region(st, ctx, v->start, v->end, false, v->vm_flags & VM_EXEC);
	if (v->end > st->gap)
		st->gap = v->end;
	if (++st->vmas_seen < vh_plugin_ctx_nvmas(ctx) || err)
		return err;
	err = scan_hidden(st, ctx, st->gap, UINT64_MAX);
	end_process(st, ctx);
	return err;
}

static const char *const options[] = {"rules", "max_matches", NULL};

static const struct vh_plugin_detector detectors[] = {{
    .struct_size = sizeof(struct vh_plugin_detector),
    .id = "yara",
    .summary = "YARA rules (yara.rules=FILE|DIR) over each VMA and each run of hidden pages",
    .needs = VH_PLUGIN_NEEDS_CONTENT,
    .process = yara_process,
    .vma = yara_vma,
}};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = "yara",
    .version = "1.0",
    .summary = "YARA rules over process memory (libyara)",
    .options = options,
    .detectors = detectors,
    .ndetectors = sizeof(detectors) / sizeof(detectors[0]),
    .init = yara_init,
    .fini = yara_fini,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
