/* SPDX-License-Identifier: MIT */
/*
 * vh-profile: print a kernel profile, one entry per line, through the public API.
 *
 *   vh-profile [--full] VMLINUX            profile from a vmlinux
 *   vh-profile --dump DUMP [VMLINUX]       profile of a dump (vmlinux found if not given)
 *   vh-profile --dump DUMP --symbols MODE [VMLINUX]
 *                                          the same through vh_profile_open_kernel()
 *                                          (MODE auto, dwarf or btf)
 *   vh-profile --bench N [--full] VMLINUX  load N times; print the times
 *   vh-profile --stats ...                 also print the load statistics
 *   vh-profile --names ...                 name entries as the profile does
 *                                          (task_struct.state, not __state)
 *
 * Lines (fields separated by one space):
 *   symbol NAME ADDR SOURCE
 *   struct NAME SIZE SOURCE
 *   member STRUCT.KERNEL_PATH OFFSET SIZE NELEM BITOFF BITSIZE SOURCE   (decimal;
 *          BITOFF is the bitfield's first bit from the struct's start, in bits)
 *   enum NAME VALUE SOURCE
 *   const NAME VALUE SOURCE
 *   absent KIND NAME ALT1[|ALT2...]   (the kernel names looked for)
 * Exit 0 on success, 3 when the profile cannot be loaded (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmahunt/vmahunt.h>

static const char *const kinds[] = {"symbol", "struct", "member", "enum", "const"};

/* --names: the profile's entry names in place of the kernel names that matched. */
static bool entry_names;

static void print_entry(const struct vh_prof_entry *e)
{
	const char *dot = strchr(e->name, '.');

	if (!e->matched) {
		/* the kernel names looked for, "|"-separated, for checkers */
		printf("absent %s %s ", kinds[e->kind], e->name);
		for (int a = 0; a < 3 && e->alts[a]; a++)
			printf("%s%s", a ? "|" : "", e->alts[a]);
		printf("\n");
		return;
	}
	switch (e->kind) {
	case VH_PROF_SYMBOL: {
		const struct vh_symbol *s = e->value;

		printf("symbol %s 0x%llx %s\n", entry_names ? e->name : e->matched,
		       (unsigned long long)s->addr, vh_prof_source_name(s->source));
		break;
	}
	case VH_PROF_STRUCT: {
		const struct vh_struct_size *s = e->value;

		printf("struct %s %u %s\n", entry_names ? e->name : e->matched, s->size,
		       vh_prof_source_name(s->source));
		break;
	}
	case VH_PROF_MEMBER: {
		const struct vh_member *m = e->value;
		unsigned long long bit = (unsigned long long)m->offset * 8 + m->bit_offset;

		printf("member %.*s.%s %u %u %u %llu %u %s\n", (int)(dot - e->name), e->name,
		       entry_names ? dot + 1 : e->matched, m->offset, m->size, m->nelem,
		       m->bit_size ? bit : 0, m->bit_size, vh_prof_source_name(m->source));
		break;
	}
	case VH_PROF_ENUM:
	case VH_PROF_CONST: {
		const struct vh_const *c = e->value;

		printf("%s %s %lld %s\n", kinds[e->kind], e->name, (long long)c->value,
		       vh_prof_source_name(c->source));
		break;
	}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int load(const char *path, bool full, struct vh_profile **p)
{
	int err = vh_profile_new(p);

	if (!err)
		err = full ? vh_profile_load_vmlinux_full(*p, path)
			   : vh_profile_load_vmlinux(*p, path);
	if (err) {
		fprintf(stderr, "vh-profile: %s\n", vh_errmsg());
		vh_profile_free(*p);
		*p = NULL;
	}
	return err;
}

/* "2172", or "? (not listed)" when the fast path did not list the units. */
static const char *total(const struct vh_profile *p)
{
	static char buf[32];

	if (!p->stats.cus_total)
		return "? (not listed)";
	snprintf(buf, sizeof(buf), "%u", p->stats.cus_total);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int bench(const char *path, bool full, int n)
{
	double *t = calloc((size_t)n, sizeof(double)), first;
	struct vh_profile *p = NULL;

	if (!t)
		return 3;
	for (int i = 0; i < n; i++) {
		double t0 = now();

		if (load(path, full, &p)) {
			free(t);
			return 3;
		}
		t[i] = now() - t0;
		if (i == n - 1)
			printf("units read %u of %s, %llu top-level DIEs, %s\n",
			       p->stats.cus_scanned, total(p),
			       (unsigned long long)p->stats.dies_visited,
			       p->stats.full_scan ? "full scan" : "likely units only");
		vh_profile_free(p);
	}
	first = t[0];
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("loads %d first %.3f s min %.3f s median %.3f s max %.3f s\n", n, first, t[0],
	       t[n / 2], t[n - 1]);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dump = NULL, *vmlinux = NULL, *symbols = NULL;
	bool full = false, stats = false;
	int nbench = 0;
	struct vh_profile *p = NULL;
	size_t nw;
	const char *const *w;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full"))
			full = true;
		else if (!strcmp(argv[i], "--stats"))
			stats = true;
		else if (!strcmp(argv[i], "--names"))
			entry_names = true;
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump = argv[++i];
		else if (!strcmp(argv[i], "--symbols") && i + 1 < argc &&
			 vh_symbols_mode_parse(argv[i + 1]) >= 0)
			symbols = argv[++i];
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			nbench = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !vmlinux)
			vmlinux = argv[i];
		else {
			fprintf(stderr,
				"usage: vh-profile [--full] [--stats] [--names] [--bench N] "
				"[--dump DUMP [--symbols auto|dwarf|btf]] [VMLINUX]\n");
			return 2;
		}
	}
	if (nbench > 0 && vmlinux)
		return bench(vmlinux, full, nbench);
	if (dump) {
		struct vh_dump *d;

		if (vh_dump_open(dump, NULL, &d) != VH_OK) {
			fprintf(stderr, "vh-profile: %s\n", vh_errmsg());
			return 3;
		}
		struct vh_kernel_map km;

		if (symbols &&
		    (vh_kernel_map_find(d, &km) != VH_OK ||
		     vh_profile_open_kernel(d, &km, vmlinux, vh_symbols_mode_parse(symbols), &p) !=
			 VH_OK)) {
			fprintf(stderr, "vh-profile: %s\n", vh_errmsg());
			vh_dump_close(d);
			return 3;
		}
		if (!symbols && vh_profile_open(d, vmlinux, 0, &p) != VH_OK) {
			fprintf(stderr, "vh-profile: %s\n", vh_errmsg());
			vh_dump_close(d);
			return 3;
		}
		vh_dump_close(d);
	} else if (!vmlinux || load(vmlinux, full, &p)) {
		if (!vmlinux)
			fprintf(stderr, "vh-profile: no vmlinux given\n");
		return vmlinux ? 3 : 2;
	}
	if (p->types_from)
		printf("types_from %s\n", p->types_from);
	printf("osrelease %s\nbuild_id %s\n", p->osrelease[0] ? p->osrelease : "-",
	       p->build_id[0] ? p->build_id : "-");
	if (p->have_kaslr_offset)
		printf("kaslr_offset 0x%llx\n", (unsigned long long)p->kaslr_offset);
	for (size_t i = 0; i < vh_profile_entry_count(); i++) {
		struct vh_prof_entry e;

		if (vh_profile_entry(p, i, &e) == VH_OK)
			print_entry(&e);
	}
	w = vh_profile_warnings(p, &nw);
	for (size_t i = 0; i < nw; i++)
		printf("warning %s\n", w[i]);
	if (stats)
		fprintf(stderr, "load %.3f s, units read %u of %s, %llu top-level DIEs%s\n",
			p->stats.seconds, p->stats.cus_scanned, total(p),
			(unsigned long long)p->stats.dies_visited,
			p->stats.full_scan ? ", full scan" : "");
	if (stats && p->stats.kallsyms_method)
		fprintf(stderr,
			"kallsyms: %u symbols (tables found by %s), BTF: %u types, %u bytes\n",
			p->stats.ksyms, p->stats.kallsyms_method, p->stats.btf_types,
			p->stats.btf_bytes);
	vh_profile_free(p);
	return 0;
}
