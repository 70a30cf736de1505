/* SPDX-License-Identifier: MIT */
/* The common layer of every dump reader: detection, range checks, page cache. */
#include "dump/dump_internal.h"
#include "dump/cache.h"
#include "util/error.h"
#include "util/warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CACHE_PAGES 1024

struct vh_kv {
	char *key;
	char *value;
};

/* Probed in this order: the most specific magic first, raw only when asked for. */
static const struct vh_dump_ops *const readers[] = {
    &vh_core_ops, /* before elf: a process core is an ELF ET_CORE file too */
    &vh_kdump_ops, &vh_flattened_ops, &vh_elf_ops, &vh_lime_ops,
};

static const char *const format_names[VH_FMT_COUNT] = {
    [VH_FMT_ELF] = "elf",   [VH_FMT_KDUMP] = "kdump", [VH_FMT_FLATTENED] = "flattened-kdump",
    [VH_FMT_LIME] = "lime", [VH_FMT_RAW] = "raw",     [VH_FMT_CORE] = "core",
};

static const char *const codec_names[VH_CODEC_COUNT] = {
    [VH_CODEC_NONE] = "none",	  [VH_CODEC_ZLIB] = "zlib", [VH_CODEC_LZO] = "lzo",
    [VH_CODEC_SNAPPY] = "snappy", [VH_CODEC_ZSTD] = "zstd",
};

const char *vh_dump_format_name(enum vh_dump_format fmt)
{
	return (unsigned)fmt < VH_FMT_COUNT ? format_names[fmt] : "unknown";
}

const char *vh_codec_name(enum vh_codec codec)
{
	return (unsigned)codec < VH_CODEC_COUNT ? codec_names[codec] : "unknown";
}

static const struct vh_dump_ops *detect(struct vh_dump *d, const struct vh_dump_options *opts)
{
	uint8_t head[4096];
	size_t len = d->file.size < sizeof(head) ? (size_t)d->file.size : sizeof(head);

	if (opts && opts->raw)
		return &vh_raw_ops;
	if (vh_file_read(&d->file, 0, head, len, "file header") != VH_OK)
		return NULL;
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (readers[i]->probe(head, len, d->file.size))
			return readers[i];
	}
	/* The caller returns VH_ERR_FORMAT for a NULL reader. */
	vh_set_errmsg("%s: offset 0x0: not a dump vmahunt recognises (expected an ELF vmcore, "
		      "a kdump \"KDUMP   \" header, a flattened \"makedumpfile\" stream, LiME or a "
		      "process core; "
		      "use --raw-base for a raw image)",
		      d->file.path);
	return NULL;
}

int vh_dump_open(const char *path, const struct vh_dump_options *opts, struct vh_dump **out)
{
	struct vh_dump *d;
	int err;

	*out = NULL;
	if (!path)
		return vh_set_error(VH_ERR_INVAL, "no dump file given");
	d = calloc(1, sizeof(*d));
	if (!d)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", path);
	d->file.fd = -1;
	if (opts)
		d->opts = *opts;
	err = vh_file_open(&d->file, path);
	if (err)
		goto fail;
	d->ops = detect(d, opts);
	if (!d->ops) {
		err = VH_ERR_FORMAT;
		if (d->file.size == 0)
			err = vh_set_error(VH_ERR_TRUNCATED, "%s: offset 0x0: empty file", path);
		goto fail;
	}
	snprintf(d->arch, sizeof(d->arch), "unknown");
	err = d->ops->open(d);
	if (err)
		goto fail;
	if (d->page_size == 0) {
		err = vh_set_error(VH_ERR_FORMAT, "%s: reader set no page size", path);
		goto fail;
	}
	vh_dump_finish_ranges(d);
	d->cache = vh_cache_new(d->opts.cache_pages ? d->opts.cache_pages : DEFAULT_CACHE_PAGES,
				d->page_size);
	if (!d->cache) {
		err = vh_set_error(VH_ERR_NOMEM, "%s: out of memory for the page cache", path);
		goto fail;
	}
	*out = d;
	return VH_OK;
fail:
	vh_dump_close(d);
	return err;
}

void vh_dump_close(struct vh_dump *d)
{
	if (!d)
		return;
	if (d->ops && d->ops->close)
		d->ops->close(d);
	vh_cache_free(d->cache);
	free(d->ranges);
	free(d->vmcoreinfo);
	for (size_t i = 0; i < d->vmcoreinfo_nkv; i++) {
		free(d->vmcoreinfo_kv[i].key);
		free(d->vmcoreinfo_kv[i].value);
	}
	free(d->vmcoreinfo_kv);
	free(d->cpus);
	for (size_t i = 0; i < d->nattrs; i++) {
		free((char *)d->attrs[i].name);
		free((char *)d->attrs[i].value);
	}
	free(d->attrs);
	vh_warnings_free(d->warnings, d->nwarnings);
	vh_file_close(&d->file);
	free(d);
}

/* Index of the range holding @paddr, or -1. Ranges are sorted and disjoint. */
static long find_range(const struct vh_dump *d, uint64_t paddr)
{
	size_t lo = 0, hi = d->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (paddr < d->ranges[mid].start)
			hi = mid;
		else if (paddr >= d->ranges[mid].end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

/* True when some range overlaps page @pfn (ELF segments need not be page aligned). */
static bool page_in_ranges(const struct vh_dump *d, uint64_t pfn)
{
	uint64_t start = pfn << d->page_shift, end = start + d->page_size;
	size_t lo = 0, hi = d->nranges;

	/* First range that ends after the page starts. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->ranges[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nranges && d->ranges[lo].start < end;
}

enum vh_page_state vh_dump_page_state(struct vh_dump *d, uint64_t pfn)
{
	d->work.page_states++;
	if (pfn > (UINT64_MAX >> d->page_shift) - 1 || !page_in_ranges(d, pfn))
		return VH_PAGE_ABSENT;
	return d->ops->page_state(d, pfn);
}

int vh_dump_next_present(struct vh_dump *d, uint64_t pfn, uint64_t *next)
{
	uint64_t found;

	d->work.next_present++;
	if (pfn > (UINT64_MAX >> d->page_shift) - 1 || !d->ops->next_present(d, pfn, &found))
		return VH_ERR_NOT_PRESENT;
	*next = found;
	return VH_OK;
}

static int state_error(struct vh_dump *d, enum vh_page_state st, uint64_t paddr)
{
	/* a process core's addresses are the process's virtual ones */
	const char *space = d->ops->format == VH_FMT_CORE ? "address" : "physical address";

	if (st == VH_PAGE_EXCLUDED)
		return vh_set_error(VH_ERR_EXCLUDED,
				    "%s: %s 0x%llx: page excluded from the dump "
				    "(filtered by the dump tool)",
				    d->file.path, space, (unsigned long long)paddr);
	return vh_set_error(VH_ERR_NOT_PRESENT,
			    "%s: %s 0x%llx: not in any memory range of the dump", d->file.path,
			    space, (unsigned long long)paddr);
}

/* The page holding @pfn, from the cache or freshly read into it. */
static int get_page(struct vh_dump *d, uint64_t pfn, const void **page)
{
	enum vh_page_state st;
	void *slot;
	int err;

	*page = vh_cache_get(d->cache, pfn);
	if (*page)
		return VH_OK;
	st = vh_dump_page_state(d, pfn);
	if (st != VH_PAGE_PRESENT && st != VH_PAGE_ZERO)
		return state_error(d, st, pfn << d->page_shift);
	slot = vh_cache_put(d->cache, pfn);
	if (st == VH_PAGE_ZERO) {
		memset(slot, 0, d->page_size);
	} else {
		memset(slot, 0, d->page_size);
		d->work.page_reads++;
		err = d->ops->read_page(d, pfn, slot);
		if (err) {
			vh_cache_drop(d->cache, pfn);
			return err;
		}
	}
	*page = slot;
	return VH_OK;
}

int vh_dump_read_phys(struct vh_dump *d, uint64_t paddr, void *buf, size_t len)
{
	unsigned char *dst = buf;

	if (!d || (!buf && len))
		return vh_set_error(VH_ERR_INVAL, "vh_dump_read_phys: invalid argument");
	if (len && paddr + len - 1 < paddr)
		return vh_set_error(VH_ERR_NOT_PRESENT,
				    "%s: physical address 0x%llx: read of %zu bytes wraps around",
				    d->file.path, (unsigned long long)paddr, len);
	while (len) {
		uint64_t pfn = paddr >> d->page_shift;
		size_t off = (size_t)(paddr & (d->page_size - 1));
		size_t n = d->page_size - off;
		long ri = find_range(d, paddr);
		const void *page;
		int err;

		if (n > len)
			n = len;
		if (ri < 0)
			return state_error(d, VH_PAGE_ABSENT, paddr);
		if (paddr + n > d->ranges[ri].end)
			n = (size_t)(d->ranges[ri].end - paddr);
		err = get_page(d, pfn, &page);
		if (err)
			return err;
		memcpy(dst, (const unsigned char *)page + off, n);
		dst += n;
		paddr += n;
		len -= n;
	}
	return VH_OK;
}

enum vh_dump_format vh_dump_format(const struct vh_dump *d)
{
	return d->ops->format;
}

const char *vh_dump_path(const struct vh_dump *d)
{
	return d->file.path;
}

const char *vh_dump_arch(const struct vh_dump *d)
{
	return d->arch;
}

uint32_t vh_dump_page_size(const struct vh_dump *d)
{
	return d->page_size;
}

const struct vh_phys_range *vh_dump_ranges(const struct vh_dump *d, size_t *n)
{
	*n = d->nranges;
	return d->ranges;
}

void vh_dump_page_stats(const struct vh_dump *d, struct vh_page_stats *st)
{
	*st = d->stats;
}

const char *vh_dump_vmcoreinfo(const struct vh_dump *d, size_t *len)
{
	if (len)
		*len = d->vmcoreinfo ? d->vmcoreinfo_len : 0;
	return d->vmcoreinfo;
}

size_t vh_dump_ncpus(const struct vh_dump *d)
{
	return d->ncpus;
}

const struct vh_cpu_regs *vh_dump_cpu(const struct vh_dump *d, size_t i)
{
	return i < d->ncpus ? &d->cpus[i] : NULL;
}

const struct vh_dump_attr *vh_dump_attrs(const struct vh_dump *d, size_t *n)
{
	*n = d->nattrs;
	return d->attrs;
}

const char *const *vh_dump_warnings(const struct vh_dump *d, size_t *n)
{
	*n = d->nwarnings;
	return (const char *const *)d->warnings;
}

/*
 * Grows *arr (of *n elements of @size) by one; returns the new element or NULL.
 * The capacity is implied by the count (at least 8, then powers of two), so
 * the arrays need no capacity field and appending n elements costs O(n).
 */
static void *grow(void *arrp, size_t *n, size_t size)
{
	void **arr = arrp;
	size_t cur = *n;

	if (cur == 0 || (cur >= 8 && (cur & (cur - 1)) == 0)) {
		size_t cap = cur < 8 ? 8 : cur * 2;
		void *p;

		if (cap > SIZE_MAX / size)
			return NULL;
		p = realloc(*arr, cap * size);
		if (!p)
			return NULL;
		*arr = p;
	}
	memset((char *)*arr + cur * size, 0, size);
	return (char *)*arr + (*n)++ * size;
}

int vh_dump_add_range(struct vh_dump *d, uint64_t start, uint64_t end)
{
	struct vh_phys_range *r;

	if (end <= start)
		return VH_OK;
	r = grow(&d->ranges, &d->nranges, sizeof(*r));
	if (!r)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	r->start = start;
	r->end = end;
	return VH_OK;
}

static int cmp_range(const void *a, const void *b)
{
	const struct vh_phys_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void vh_dump_finish_ranges(struct vh_dump *d)
{
	size_t out = 0;

	if (d->nranges == 0)
		return;
	qsort(d->ranges, d->nranges, sizeof(*d->ranges), cmp_range);
	for (size_t i = 1; i < d->nranges; i++) {
		if (d->ranges[i].start <= d->ranges[out].end) {
			if (d->ranges[i].end > d->ranges[out].end)
				d->ranges[out].end = d->ranges[i].end;
		} else {
			d->ranges[++out] = d->ranges[i];
		}
	}
	d->nranges = out + 1;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

int vh_dump_add_attr(struct vh_dump *d, const char *name, const char *fmt, ...)
{
	struct vh_dump_attr *a;
	va_list ap;
	char *value, *key;

	va_start(ap, fmt);
	value = vformat(fmt, ap);
	va_end(ap);
	key = strdup(name);
	a = (value && key) ? grow(&d->attrs, &d->nattrs, sizeof(*a)) : NULL;
	if (!a) {
		free(value);
		free(key);
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	}
	a->name = key;
	a->value = value;
	return VH_OK;
}

int vh_dump_add_warning(struct vh_dump *d, const char *fmt, ...)
{
	char **w;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	w = msg ? grow(&d->warnings, &d->nwarnings, sizeof(*w)) : NULL;
	if (!w) {
		free(msg);
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	}
	*w = msg;
	return VH_OK;
}

int vh_dump_set_vmcoreinfo(struct vh_dump *d, const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return vh_set_error(VH_ERR_NOMEM, "%s: out of memory", d->file.path);
	memcpy(copy, text, len);
	copy[len] = '\0';
	/* The note's text may be NUL-padded; only what precedes the first NUL counts. */
	len = strlen(copy);
	free(d->vmcoreinfo);
	d->vmcoreinfo = copy;
	d->vmcoreinfo_len = len;
	/* A lookup table parsed from the text replaced is stale. */
	for (size_t i = 0; i < d->vmcoreinfo_nkv; i++) {
		free(d->vmcoreinfo_kv[i].key);
		free(d->vmcoreinfo_kv[i].value);
	}
	free(d->vmcoreinfo_kv);
	d->vmcoreinfo_kv = NULL;
	d->vmcoreinfo_nkv = 0;
	return VH_OK;
}

struct vh_cpu_regs *vh_dump_add_cpu(struct vh_dump *d)
{
	struct vh_cpu_regs *r = grow(&d->cpus, &d->ncpus, sizeof(*r));

	if (!r) {
		vh_set_errmsg("%s: out of memory", d->file.path); /* VH_ERR_NOMEM for a NULL */
		return NULL;
	}
	r->cpu = (uint32_t)(d->ncpus - 1);
	return r;
}

int vh_dump_set_page_size(struct vh_dump *d, uint64_t page_size, uint64_t where)
{
	if (page_size < 512 || page_size > (1u << 20) || (page_size & (page_size - 1)))
		return vh_set_error(VH_ERR_FORMAT,
				    "%s: offset 0x%llx: page size %llu is not a power of two "
				    "between 512 and 1 MiB",
				    d->file.path, (unsigned long long)where,
				    (unsigned long long)page_size);
	d->page_size = (uint32_t)page_size;
	d->page_shift = (uint32_t)__builtin_ctzll(page_size);
	return VH_OK;
}

static int parse_vmcoreinfo(struct vh_dump *d)
{
	const char *p = d->vmcoreinfo;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq) {
			struct vh_kv *kv = grow(&d->vmcoreinfo_kv, &d->vmcoreinfo_nkv, sizeof(*kv));

			if (!kv)
				return VH_ERR_NOMEM;
			kv->key = strndup(p, (size_t)(eq - p));
			kv->value = strndup(eq + 1, (size_t)(end - eq - 1));
			if (!kv->key || !kv->value)
				return VH_ERR_NOMEM;
		}
		p = nl ? nl + 1 : end;
	}
	return VH_OK;
}

const char *vh_dump_vmcoreinfo_get(const struct vh_dump *cd, const char *key)
{
	/* Parsed lazily: the table is a cache, not part of the dump's visible state. */
	struct vh_dump *d = (struct vh_dump *)cd;

	if (!d->vmcoreinfo)
		return NULL;
	if (!d->vmcoreinfo_kv && parse_vmcoreinfo(d) != VH_OK)
		return NULL;
	for (size_t i = 0; i < d->vmcoreinfo_nkv; i++) {
		if (strcmp(d->vmcoreinfo_kv[i].key, key) == 0)
			return d->vmcoreinfo_kv[i].value;
	}
	return NULL;
}

/*
 * VMCOREINFO entries that only one architecture's kernel writes
 * (arch/arm64/kernel/vmcore_info.c, arch/x86/kernel/machine_kexec_64.c).
 * NUMBER(VA_BITS) and KERNELOFFSET are not among them: other architectures
 * write those too.
 */
static const struct {
	const char *key;
	const char *arch;
} arch_keys[] = {
    {"NUMBER(PHYS_OFFSET)", "aarch64"},	      {"NUMBER(TCR_EL1_T1SZ)", "aarch64"},
    {"NUMBER(kimage_voffset)", "aarch64"},    {"KERNELPACMASK", "aarch64"},
    {"NUMBER(phys_base)", "x86_64"},	      {"SYMBOL(init_top_pgt)", "x86_64"},
    {"NUMBER(pgtable_l5_enabled)", "x86_64"},
};

int vh_dump_infer_arch(struct vh_dump *d, const char **from)
{
	const char *arch = NULL, *key = NULL;

	*from = NULL;
	for (size_t i = 0; i < sizeof(arch_keys) / sizeof(arch_keys[0]); i++) {
		if (!vh_dump_vmcoreinfo_get(d, arch_keys[i].key))
			continue;
		if (arch && strcmp(arch, arch_keys[i].arch))
			return vh_dump_add_warning(d,
						   "%s: VMCOREINFO has %s (%s) and %s (%s): the "
						   "machine is left unknown",
						   d->file.path, key, arch, arch_keys[i].key,
						   arch_keys[i].arch);
		if (!arch) {
			arch = arch_keys[i].arch;
			key = arch_keys[i].key;
		}
	}
	if (arch) {
		*from = key;
		snprintf(d->arch, sizeof(d->arch), "%s", arch);
		if (d->notes_arch && strcmp(d->notes_arch, arch))
			return vh_dump_add_warning(
			    d,
			    "%s: VMCOREINFO says %s (%s) but the NT_PRSTATUS "
			    "notes have the %s layout: their registers are "
			    "not shown",
			    d->file.path, arch, key, d->notes_arch);
	} else if (d->notes_arch) {
		*from = "NT_PRSTATUS";
		snprintf(d->arch, sizeof(d->arch), "%s", d->notes_arch);
	}
	return VH_OK;
}
