/* SPDX-License-Identifier: MIT */
/* vmahunt info: everything the dump says about itself. */
#include "cli/cli.h"
#include "report/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X86_CR4_LA57 (1ull << 12)

/* Facts derived from VMCOREINFO and CPU state, shared by text and JSON output. */
struct derived {
	const char *osrelease;
	bool have_kaslr;
	uint64_t kaslr_offset;
	bool have_phys_base;
	uint64_t phys_base;
	int paging_levels; /* 0 = unknown */
	const char *paging_source;
	uint64_t ram_bytes;
	bool have_kmap;
	struct vh_kernel_map kmap;
	struct vh_profile *prof; /* NULL when no source of symbols worked */
	char prof_error[512];
	char kmap_error[512];
	bool is_core; /* a process core: no kernel to locate */
};

static bool parse_num(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoull(s, &end, base);
	return *end == '\0';
}

/* The profile as ps/maps/scan would load it: says which source they would use. */
static void load_profile(struct vh_dump *d, const struct vh_cli_opts *opts, struct derived *x)
{
	if (!x->have_kmap) {
		snprintf(x->prof_error, sizeof(x->prof_error), "the kernel is not located");
		return;
	}
	if (vh_profile_open_kernel(d, &x->kmap, opts->vmlinux, opts->symbols, &x->prof) != VH_OK)
		snprintf(x->prof_error, sizeof(x->prof_error), "%s", vh_errmsg());
}

static void derive(struct vh_dump *d, const struct vh_cli_opts *opts, struct derived *x)
{
	const char *v;
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);

	memset(x, 0, sizeof(*x));
	x->osrelease = vh_dump_vmcoreinfo_get(d, "OSRELEASE");
	/* The kernel prints KERNELOFFSET with %lx and phys_base with %ld. */
	x->have_kaslr = parse_num(vh_dump_vmcoreinfo_get(d, "KERNELOFFSET"), 16, &x->kaslr_offset);
	v = vh_dump_vmcoreinfo_get(d, "NUMBER(phys_base)");
	x->have_phys_base = parse_num(v, 10, &x->phys_base);
	v = vh_dump_vmcoreinfo_get(d, "NUMBER(pgtable_l5_enabled)");
	if (v) {
		x->paging_levels = strcmp(v, "0") ? 5 : 4;
		x->paging_source = "VMCOREINFO";
	}
	for (size_t i = 0; !x->paging_levels && i < vh_dump_ncpus(d); i++) {
		const struct vh_cpu_regs *c = vh_dump_cpu(d, i);

		/* CR4 only means something once the CPU is in long mode (CR0.PG set). */
		if (c->have_cr && (c->cr[0] & (1ull << 31))) {
			x->paging_levels = (c->cr[4] & X86_CR4_LA57) ? 5 : 4;
			x->paging_source = "CR4";
		}
	}
	for (size_t i = 0; i < n; i++)
		x->ram_bytes += r[i].end - r[i].start;
	/* The page tables confirm (or, without VMCOREINFO, supply) what the notes say. */
	x->is_core = vh_core_info(d) != NULL;
	x->have_kmap = !x->is_core && vh_kernel_map_find(d, &x->kmap) == VH_OK;
	if (!x->have_kmap && !x->is_core)
		snprintf(x->kmap_error, sizeof(x->kmap_error), "%s", vh_errmsg());
	if (x->have_kmap) {
		x->have_kaslr = x->have_phys_base = true;
		x->kaslr_offset = x->kmap.kaslr_offset;
		x->phys_base = x->kmap.phys_base;
		x->paging_levels = x->kmap.levels;
		x->paging_source = x->kmap.method;
	}
	load_profile(d, opts, x);
}

static void text_symbols(const struct derived *x)
{
	const struct vh_profile *p = x->prof;

	if (!p)
		printf("symbols:        none (%s)\n", x->prof_error);
	else if (!strcmp(p->types_from, "dwarf"))
		printf("symbols:        dwarf (vmlinux %s)\n", p->vmlinux_path);
	else
		printf("symbols:        btf (from the dump: kallsyms %" PRIu32
		       " symbols, tables found by %s; BTF %" PRIu32 " types, %" PRIu32 " bytes)\n",
		       p->stats.ksyms, p->stats.kallsyms_method, p->stats.btf_types,
		       p->stats.btf_bytes);
}

static void text_cpu(const struct vh_cpu_regs *c)
{
	printf("  cpu %" PRIu32 " (%s", c->cpu, c->source ? c->source : "?");
	if (c->pid)
		printf(", pid %" PRIu32, c->pid);
	printf("):");
	if (c->have_gp)
		printf(" rip=0x%" PRIx64 " rsp=0x%" PRIx64 " rbp=0x%" PRIx64, c->rip, c->rsp,
		       c->rbp);
	if (c->have_cr)
		printf(" cr0=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64, c->cr[0], c->cr[3],
		       c->cr[4]);
	putchar('\n');
}

static void text_info(struct vh_dump *d, const struct derived *x)
{
	struct vh_page_stats st;
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);
	const struct vh_dump_attr *a;
	const char *const *w;
	const char *vmci;

	vh_dump_page_stats(d, &st);
	printf("file:           %s\n", vh_dump_path(d));
	printf("format:         %s\n", vh_dump_format_name(vh_dump_format(d)));
	printf("arch:           %s\n", vh_dump_arch(d));
	printf("page size:      %" PRIu32 "\n", vh_dump_page_size(d));
	printf("osrelease:      %s\n", x->osrelease ? x->osrelease : "(unknown: no VMCOREINFO)");
	if (x->have_kaslr)
		printf("kaslr offset:   0x%" PRIx64 "\n", x->kaslr_offset);
	if (x->have_phys_base)
		printf("phys_base:      0x%" PRIx64 "\n", x->phys_base);
	if (x->paging_levels)
		printf("paging levels:  %d (from %s)\n", x->paging_levels, x->paging_source);
	if (x->have_kmap)
		printf("kernel:         found by %s, page tables at 0x%" PRIx64 " (%s)\n",
		       x->kmap.method, x->kmap.pgd, x->kmap.pgd_source);
	else if (x->is_core)
		printf("kernel:         none (a process core)\n");
	else
		printf("kernel:         not located (%s)\n", x->kmap_error);
	text_symbols(x);
	printf("memory:         %zu ranges, %" PRIu64 " bytes (%.1f MiB)\n", n, x->ram_bytes,
	       x->ram_bytes / 1048576.0);
	for (size_t i = 0; i < n; i++)
		printf("  0x%016" PRIx64 "-0x%016" PRIx64 "\n", r[i].start, r[i].end);
	printf("pages:          %" PRIu64 " present, %" PRIu64 " zero, %" PRIu64 " excluded\n",
	       st.present, st.zero, st.excluded);
	printf("compression:   ");
	for (int c = 0; c < VH_CODEC_COUNT; c++) {
		if (st.by_codec[c])
			printf(" %s %" PRIu64, vh_codec_name(c), st.by_codec[c]);
	}
	putchar('\n');
	a = vh_dump_attrs(d, &n);
	for (size_t i = 0; i < n; i++)
		printf("%-15s %s\n", a[i].name, a[i].value);
	vh_cli_core_info_text(d);
	printf("%s %zu\n",
	       x->is_core ? "threads' registers:" : "cpus:           ", vh_dump_ncpus(d));
	for (size_t i = 0; i < vh_dump_ncpus(d); i++)
		text_cpu(vh_dump_cpu(d, i));
	vmci = vh_dump_vmcoreinfo(d, NULL);
	if (vmci) {
		const char *p = vmci;

		printf("vmcoreinfo:\n");
		while (*p) {
			const char *nl = strchr(p, '\n');
			int len = nl ? (int)(nl - p) : (int)strlen(p);

			if (len)
				printf("  %.*s\n", len, p);
			p += len + (nl ? 1 : 0);
		}
	} else {
		printf("vmcoreinfo:     none\n");
	}
	w = vh_dump_warnings(d, &n);
	for (size_t i = 0; i < n; i++)
		printf("warning:        %s\n", w[i]);
}

static void json_cpu(struct vh_json *j, const struct vh_cpu_regs *c)
{
	static const char *const cr_names[5] = {"cr0", NULL, "cr2", "cr3", "cr4"};

	vh_json_begin_object(j, NULL);
	vh_json_u64(j, "cpu", c->cpu);
	vh_json_str(j, "source", c->source);
	if (c->pid)
		vh_json_u64(j, "pid", c->pid);
	if (c->have_gp) {
		const uint64_t v[] = {c->rip, c->rsp, c->rbp,	  c->rax,    c->rbx, c->rcx,
				      c->rdx, c->rsi, c->rdi,	  c->r8,     c->r9,  c->r10,
				      c->r11, c->r12, c->r13,	  c->r14,    c->r15, c->rflags,
				      c->cs,  c->ss,  c->fs_base, c->gs_base};
		static const char *const names[] = {
		    "rip", "rsp",    "rbp", "rax", "rbx",     "rcx",	"rdx", "rsi",
		    "rdi", "r8",     "r9",  "r10", "r11",     "r12",	"r13", "r14",
		    "r15", "rflags", "cs",  "ss",  "fs_base", "gs_base"};

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			vh_json_hex(j, names[i], v[i]);
	}
	if (c->have_cr) {
		for (int i = 0; i < 5; i++) {
			if (cr_names[i])
				vh_json_hex(j, cr_names[i], c->cr[i]);
		}
	}
	vh_json_end_object(j);
}

static void json_vmcoreinfo(struct vh_json *j, struct vh_dump *d)
{
	const char *p = vh_dump_vmcoreinfo(d, NULL);

	if (!p) {
		vh_json_null(j, "vmcoreinfo");
		return;
	}
	vh_json_begin_object(j, "vmcoreinfo");
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *eq = memchr(p, '=', len);

		if (eq) {
			char *k = strndup(p, (size_t)(eq - p));
			char *v = strndup(eq + 1, len - (size_t)(eq - p) - 1);

			if (k && v)
				vh_json_str(j, k, v);
			free(k);
			free(v);
		}
		p += len + (nl ? 1 : 0);
	}
	vh_json_end_object(j);
}

static void json_symbols(struct vh_json *j, const struct derived *x)
{
	const struct vh_profile *p = x->prof;

	if (!p) {
		vh_json_null(j, "symbols");
		vh_json_str(j, "symbols_error", x->prof_error);
		return;
	}
	vh_json_begin_object(j, "symbols");
	vh_json_str(j, "source", p->types_from);
	if (p->vmlinux_path)
		vh_json_str(j, "vmlinux", p->vmlinux_path);
	else
		vh_json_null(j, "vmlinux");
	if (p->stats.kallsyms_method) {
		vh_json_u64(j, "ksyms", p->stats.ksyms);
		vh_json_str(j, "kallsyms_found_by", p->stats.kallsyms_method);
		vh_json_u64(j, "btf_types", p->stats.btf_types);
		vh_json_u64(j, "btf_bytes", p->stats.btf_bytes);
	}
	vh_json_end_object(j);
}

static void json_info(struct vh_dump *d, const struct derived *x)
{
	struct vh_json j;
	struct vh_page_stats st;
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);
	const struct vh_dump_attr *a;
	const char *const *w;

	vh_dump_page_stats(d, &st);
	vh_json_init(&j, stdout);
	vh_json_begin_object(&j, NULL);
	vh_json_str(&j, "type", "dump");
	vh_json_u64(&j, "schema", 1);
	vh_json_str(&j, "file", vh_dump_path(d));
	vh_json_str(&j, "format", vh_dump_format_name(vh_dump_format(d)));
	vh_json_str(&j, "arch", vh_dump_arch(d));
	vh_json_u64(&j, "page_size", vh_dump_page_size(d));
	vh_json_str(&j, "osrelease", x->osrelease);
	if (x->have_kaslr)
		vh_json_hex(&j, "kaslr_offset", x->kaslr_offset);
	else
		vh_json_null(&j, "kaslr_offset");
	if (x->have_phys_base)
		vh_json_hex(&j, "phys_base", x->phys_base);
	else
		vh_json_null(&j, "phys_base");
	if (x->paging_levels)
		vh_json_u64(&j, "paging_levels", (uint64_t)x->paging_levels);
	else
		vh_json_null(&j, "paging_levels");
	if (x->have_kmap) {
		vh_json_begin_object(&j, "kernel");
		vh_json_str(&j, "method", x->kmap.method);
		vh_json_hex(&j, "pgd", x->kmap.pgd);
		vh_json_str(&j, "pgd_source", x->kmap.pgd_source);
		vh_json_u64(&j, "paging_levels", (uint64_t)x->kmap.levels);
		vh_json_hex(&j, "kaslr_offset", x->kmap.kaslr_offset);
		vh_json_hex(&j, "phys_base", x->kmap.phys_base);
		vh_json_end_object(&j);
	} else {
		vh_json_null(&j, "kernel");
	}
	json_symbols(&j, x);
	vh_json_u64(&j, "memory_bytes", x->ram_bytes);
	vh_json_begin_array(&j, "ranges");
	for (size_t i = 0; i < n; i++) {
		vh_json_begin_object(&j, NULL);
		vh_json_hex(&j, "start", r[i].start);
		vh_json_hex(&j, "end", r[i].end);
		vh_json_end_object(&j);
	}
	vh_json_end_array(&j);
	vh_json_begin_object(&j, "pages");
	vh_json_u64(&j, "present", st.present);
	vh_json_u64(&j, "zero", st.zero);
	vh_json_u64(&j, "excluded", st.excluded);
	vh_json_end_object(&j);
	vh_json_begin_object(&j, "codecs");
	for (int c = 0; c < VH_CODEC_COUNT; c++)
		vh_json_u64(&j, vh_codec_name(c), st.by_codec[c]);
	vh_json_end_object(&j);
	vh_json_begin_object(&j, "attrs");
	a = vh_dump_attrs(d, &n);
	for (size_t i = 0; i < n; i++)
		vh_json_str(&j, a[i].name, a[i].value);
	vh_json_end_object(&j);
	vh_json_begin_array(&j, "cpus");
	for (size_t i = 0; i < vh_dump_ncpus(d); i++)
		json_cpu(&j, vh_dump_cpu(d, i));
	vh_json_end_array(&j);
	json_vmcoreinfo(&j, d);
	vh_cli_core_info_json(&j, d);
	vh_json_begin_array(&j, "warnings");
	w = vh_dump_warnings(d, &n);
	for (size_t i = 0; i < n; i++)
		vh_json_str(&j, NULL, w[i]);
	vh_json_end_array(&j);
	vh_json_end_object(&j);
	vh_json_newline(&j);
}

int vh_cmd_info(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct derived x;
	struct vh_dump *d;
	int code =
	    vh_cli_parse_dump(argc, argv, &opts,
			      "vmahunt info [--json] [--vmlinux FILE] [--symbols auto|dwarf|btf] "
			      "DUMP");

	if (code >= 0)
		return code;
	d = vh_cli_open_dump(&opts);
	if (!d)
		return VH_EXIT_DUMP;
	derive(d, &opts, &x);
	if (opts.json)
		json_info(d, &x);
	else
		text_info(d, &x);
	vh_profile_free(x.prof);
	vh_dump_close(d);
	return vh_cli_finish_output(VH_EXIT_OK);
}
