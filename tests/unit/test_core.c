/* SPDX-License-Identifier: MIT */
/*
 * The process core reader and the map rebuilt from it, on a small core this
 * test writes: notes (NT_PRSTATUS x2, NT_PRPSINFO, NT_AUXV, NT_FILE,
 * NT_SIGINFO), a file mapping gcore-style left out (no PT_LOAD), one with
 * p_filesz 0, heap, vdso, vvar and stack; the same core zstd-compressed;
 * truncation at every header offset, hostile NT_FILE and PN_XNUM; the
 * same core of an aarch64 process (EM_AARCH64, user_pt_regs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <cmocka.h>

#include "dump/dump_internal.h"
#include "dump/zstream.h"
#include "helpers/dumptest.h"
#include "helpers/tmpfile.h"

#include <vmahunt/core.h>
#include <vmahunt/detect.h>

static const struct vh_dump_options small_cache = {.cache_pages = 16};

#define PAGE	  0x1000
#define PHOFF	  64
#define PHNUM	  7
#define SHDR_OFF  (PHOFF + PHNUM * 56)
#define NOTES_OFF 0x300
#define DATA_OFF  0x2000
#define IMG_SIZE  (DATA_OFF + 8 * PAGE)

/* The process's layout. */
#define EXE_HDR	 0x400000ull /* /bin/demo offset 0: ELF header, in the core */
#define EXE_TEXT 0x401000ull /* /bin/demo offset 0x1000: r-x, left out (no PT_LOAD) */
#define HEAP	 0x600000ull /* 2 pages */
#define VVAR	 0x7ffff7fbd000ull
#define VDSO	 0x7ffff7fc1000ull
#define STACK	 0x7ffffffde000ull /* 2 pages */
#define EXECFN	 (STACK + 0x1f00)
#define LIB	 0x7ffff7d00000ull /* /lib/libdemo.so (deleted): r-x, p_filesz 0 */

struct img {
	uint8_t d[IMG_SIZE];
	size_t len;
};

/* build() writes the core of an aarch64 process (EM_AARCH64, NT_PRSTATUS with user_pt_regs). */
static bool arm64;
/* build() leaves AT_EXECFN out of NT_AUXV: [stack] is then found from the leader's sp. */
static bool no_execfn;

static uint8_t *note(uint8_t *p, uint32_t type, const char *name, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	vh_test_put32(p, namesz);
	vh_test_put32(p + 4, descsz);
	vh_test_put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	return p + 12 + ((namesz + 3) & ~3u);
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static uint8_t *prstatus(uint8_t *p, uint32_t pid, uint64_t rsp)
{
	uint32_t size = arm64 ? 392 : 336;
	uint8_t *d = note(p, 1, "CORE", size);

	memset(d, 0, size);
	vh_test_put32(d + 32, pid);
	if (arm64) {
		vh_test_put64(d + 112 + 29 * 8, rsp + 0x40); /* x29, the frame pointer */
		vh_test_put64(d + 112 + 31 * 8, rsp);	     /* sp, after x0..x30 */
		vh_test_put64(d + 112 + 32 * 8, EXE_TEXT + 0x24);
		return d + size;
	}
	vh_test_put64(d + 112 + 19 * 8, rsp); /* pr_reg: rsp is the 20th register */
	return d + 336;
}

static uint8_t *notes(uint8_t *p, uint64_t file_count)
{
	static const char *const paths[] = {"/bin/demo", "/bin/demo", "/lib/libdemo.so (deleted)"};
	static const uint64_t files[][3] = {
	    {EXE_HDR, EXE_HDR + PAGE, 0}, {EXE_TEXT, EXE_TEXT + PAGE, 1}, {LIB, LIB + PAGE, 0}};
	static const uint64_t auxv[][2] = {{9, EXE_TEXT + 0x10}, {33, VDSO}, {31, EXECFN}, {0, 0}};
	size_t strs = 0;
	uint8_t *d;

	p = prstatus(p, 100, STACK + 0x1000);
	p = prstatus(p, 101, 0x7ffff0000000);
	d = note(p, 3, "CORE", 136);
	memset(d, 0, 136);
	d[1] = 'S';
	vh_test_put32(d + 16, 1000);
	vh_test_put32(d + 20, 1000);
	vh_test_put32(d + 24, 100);
	vh_test_put32(d + 28, 1);
	memcpy(d + 40, "demo", 4);
	memcpy(d + 56, "demo -x arg", 11);
	p = d + 136;
	d = note(p, 6, "CORE", sizeof(auxv));
	for (size_t i = 0; i < 4; i++) {
		vh_test_put64(d + 16 * i, no_execfn && auxv[i][0] == 31 ? 51 : auxv[i][0]);
		vh_test_put64(d + 16 * i + 8, auxv[i][1]);
	}
	p = d + sizeof(auxv);
	for (size_t i = 0; i < 3; i++)
		strs += strlen(paths[i]) + 1;
	d = note(p, 0x46494c45, "CORE", (uint32_t)(16 + 3 * 24 + strs));
	vh_test_put64(d, file_count);
	vh_test_put64(d + 8, PAGE);
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < 3; k++)
			vh_test_put64(d + 16 + 24 * i + 8 * k, files[i][k]);
	p = d + 16 + 3 * 24;
	for (size_t i = 0; i < 3; i++) {
		memcpy(p, paths[i], strlen(paths[i]) + 1);
		p += strlen(paths[i]) + 1;
	}
	p = d + pad4(16 + 3 * 24 + strs);
	d = note(p, 0x53494749, "CORE", 128);
	memset(d, 0, 128);
	vh_test_put32(d, 11);
	vh_test_put64(d + 16, 0xdead);
	return d + 128;
}

static void phdr(struct img *im, int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		 uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = im->d + PHOFF + 56 * i;

	vh_test_put32(p, type);
	vh_test_put32(p + 4, flags);
	vh_test_put64(p + 8, off);
	vh_test_put64(p + 16, vaddr);
	vh_test_put64(p + 24, 0);
	vh_test_put64(p + 32, filesz);
	vh_test_put64(p + 40, memsz);
	vh_test_put64(p + 48, 1);
}

/* The ELF header of /bin/demo as the loader saw it: PT_LOAD r-- at 0, r-x at 0x1000. */
static void exe_header(uint8_t *p)
{
	memcpy(p, "\177ELF\2\1\1", 7);
	vh_test_put16(p + 16, 3);
	vh_test_put16(p + 18, 62);
	vh_test_put64(p + 32, 64);
	vh_test_put16(p + 54, 56);
	vh_test_put16(p + 56, 2);
	vh_test_put32(p + 64, 1);
	vh_test_put32(p + 68, 4);
	vh_test_put64(p + 72, 0);
	vh_test_put64(p + 96, 0x800);
	vh_test_put32(p + 120, 1);
	vh_test_put32(p + 124, 5);
	vh_test_put64(p + 128, 0x1000);
	vh_test_put64(p + 152, 0x800);
}

static void build(struct img *im, uint64_t file_count)
{
	uint8_t *e = im->d, *end;

	memset(im, 0, sizeof(*im));
	memcpy(e, "\177ELF\2\1\1", 7);
	vh_test_put16(e + 16, 4); /* ET_CORE */
	vh_test_put16(e + 18, arm64 ? 183 : 62);
	vh_test_put32(e + 20, 1);
	vh_test_put64(e + 32, PHOFF);
	vh_test_put16(e + 52, 64);
	vh_test_put16(e + 54, 56);
	vh_test_put16(e + 56, PHNUM);
	end = notes(im->d + NOTES_OFF, file_count);
	assert_true(end <= im->d + DATA_OFF);
	phdr(im, 0, 4, 0, NOTES_OFF, 0, (uint64_t)(end - im->d - NOTES_OFF), 0);
	phdr(im, 1, 1, 4, DATA_OFF, EXE_HDR, PAGE, PAGE);
	phdr(im, 2, 1, 6, DATA_OFF + PAGE, HEAP, 2 * PAGE, 2 * PAGE);
	phdr(im, 3, 1, 5, DATA_OFF + 3 * PAGE, LIB, 0, PAGE);
	phdr(im, 4, 1, 4, DATA_OFF + 3 * PAGE, VVAR, 0, 4 * PAGE);
	phdr(im, 5, 1, 5, DATA_OFF + 3 * PAGE, VDSO, PAGE, PAGE);
	phdr(im, 6, 1, 6, DATA_OFF + 4 * PAGE, STACK, 2 * PAGE, 2 * PAGE);
	exe_header(im->d + DATA_OFF);
	for (size_t i = DATA_OFF + PAGE; i < DATA_OFF + 6 * PAGE; i++)
		im->d[i] = (uint8_t)(i * 7 + (i >> 12));
	im->len = DATA_OFF + 6 * PAGE;
}

/* Opens @len bytes of @data as a dump (*o: the file), NULL when it does not open. */
static struct vh_dump *open_img(const void *data, size_t len, struct vh_test_opened *o)
{
	*o = vh_test_open_bytes(data, len, &small_cache);
	return o->err == VH_OK ? o->d : NULL;
}

static const struct vh_vma *vma_at(const struct vh_vma_list *l, uint64_t start)
{
	for (size_t i = 0; i < l->nvmas; i++)
		if (l->vmas[i].start == start)
			return &l->vmas[i];
	return NULL;
}

/* Everything a good core says, from the plain or the compressed file. */
static void check_core(struct vh_dump *d, const struct img *im, bool compressed)
{
	const struct vh_core_info *c = vh_core_info(d);
	struct vh_vma_list *l = NULL;
	struct vh_task_list *tl = NULL;
	uint8_t buf[2 * PAGE];
	const struct vh_vma *v;

	assert_non_null(c);
	assert_int_equal(vh_dump_format(d), VH_FMT_CORE);
	assert_int_equal(c->compressed, compressed);
	assert_int_equal(c->pid, 100);
	assert_int_equal(c->ppid, 1);
	assert_int_equal(c->uid, 1000);
	assert_string_equal(c->comm, "demo");
	assert_string_equal(c->psargs, "demo -x arg");
	assert_int_equal(c->si_signo, 11);
	assert_int_equal(c->si_addr, 0xdead);
	assert_int_equal(c->nfiles, 3);
	assert_int_equal(c->nloads, 6);
	assert_int_equal(vh_dump_ncpus(d), 2);
	/* memory reads back; pages the dumper left out are excluded, not zeros */
	assert_int_equal(vh_dump_read_phys(d, HEAP + 0x10, buf, 2 * PAGE - 0x10), VH_OK);
	assert_memory_equal(buf, im->d + DATA_OFF + PAGE + 0x10, 2 * PAGE - 0x10);
	assert_int_equal(vh_dump_read_phys(d, STACK, buf, 16), VH_OK);
	assert_memory_equal(buf, im->d + DATA_OFF + 4 * PAGE, 16);
	assert_int_equal(vh_dump_read_phys(d, HEAP, buf, 16), VH_OK); /* backwards: restarts */
	assert_memory_equal(buf, im->d + DATA_OFF + PAGE, 16);
	assert_int_equal(vh_dump_read_phys(d, LIB, buf, 16), VH_ERR_EXCLUDED);
	assert_int_equal(vh_dump_read_phys(d, EXE_TEXT, buf, 16), VH_ERR_NOT_PRESENT);

	assert_int_equal(vh_core_vmas(d, &l), VH_OK);
	assert_int_equal(l->nvmas, 7);
	v = vma_at(l, EXE_HDR);
	assert_string_equal(v->path, "/bin/demo");
	assert_string_equal(v->perms, "r--p");
	v = vma_at(l, EXE_TEXT); /* no PT_LOAD: NT_FILE, permissions from the ELF header */
	assert_non_null(v);
	assert_string_equal(v->perms, "r-xp");
	assert_int_equal(v->offset, PAGE);
	assert_true(v->found & VH_VMA_PERMS_ELF);
	v = vma_at(l, LIB);
	assert_string_equal(v->path, "/lib/libdemo.so (deleted)");
	assert_string_equal(v->perms, "r-xp");
	assert_true(v->file != 0);
	assert_string_equal(vma_at(l, HEAP)->path, "[heap]");
	assert_string_equal(vma_at(l, VVAR)->path, "[vvar]");
	assert_string_equal(vma_at(l, VDSO)->path, "[vdso]");
	assert_string_equal(vma_at(l, STACK)->path, "[stack]");
	assert_string_equal(vma_at(l, STACK)->perms, "rw-p");
	vh_vma_list_free(l);

	assert_int_equal(vh_core_tasks(d, &tl), VH_OK);
	assert_int_equal(tl->ntasks, 2);
	assert_int_equal(tl->tasks[0].pid, 100);
	assert_true(tl->tasks[0].leader);
	assert_int_equal(tl->tasks[0].nr_threads, 2);
	assert_int_equal(tl->tasks[1].pid, 101);
	assert_int_equal(tl->tasks[1].tgid, 100);
	assert_int_equal(tl->tasks[0].cmdline_len, 12);
	assert_memory_equal(tl->tasks[0].cmdline, "demo\0-x\0arg", 12);
	vh_task_list_free(tl);
}

static void test_plain(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;
	size_t nw;

	(void)state;
	build(&im, 3);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	check_core(d, &im, false);
	vh_dump_warnings(d, &nw);
	assert_int_equal(nw, 0);
	vh_test_close(&o);
}

static void *compress(const struct img *im, size_t *len)
{
	size_t cap = ZSTD_compressBound(im->len);
	void *z = malloc(cap);

	assert_non_null(z);
	*len = ZSTD_compress(z, cap, im->d, im->len, 3);
	assert_false(ZSTD_isError(*len));
	return z;
}

static void test_zstd(void **state)
{
	static struct img im;
	size_t zlen, nw;
	void *z;
	struct vh_test_opened o;
	struct vh_dump *d;
	const char *const *w;

	(void)state;
	build(&im, 3);
	z = compress(&im, &zlen);
	d = open_img(z, zlen, &o);
	assert_non_null(d);
	check_core(d, &im, true);
	vh_test_close(&o);
	/* cut: the bytes before the cut are read, a warning says where */
	d = open_img(z, zlen - 40, &o);
	if (d) {
		w = vh_dump_warnings(d, &nw);
		assert_true(nw >= 1);
		assert_non_null(strstr(w[0], "zstd stream cut"));
	}
	vh_test_close(&o);
	free(z);
}

/* A zstd stream read backwards and forwards gives the same bytes. */
static void test_zstream_seek(void **state)
{
	static uint8_t data[3 << 20];
	size_t cap = ZSTD_compressBound(sizeof(data)), zlen;
	void *z = malloc(cap);
	char *path;
	struct vh_file f;
	struct vh_zstream *zs;
	struct vh_zstream_stats st;
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 9));
	zlen = ZSTD_compress(z, cap, data, sizeof(data), 1);
	path = vh_test_write_tmp(z, zlen);
	assert_int_equal(vh_file_open(&f, path), VH_OK);
	assert_int_equal(vh_zstream_open(&f, &zs), VH_OK);
	assert_int_equal(vh_zstream_size(zs), sizeof(data));
	assert_null(vh_zstream_fault(zs));
	static const uint64_t offs[] = {(2 << 20) + 5, 100, (3 << 20) - 64, (1 << 20) - 10, 0};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(vh_zstream_read(zs, offs[i], buf, sizeof(buf), "test"), VH_OK);
		assert_memory_equal(buf, data + offs[i], sizeof(buf));
	}
	vh_zstream_stats(zs, &st);
	assert_int_equal(st.restarts, 3);
	assert_int_equal(vh_zstream_read(zs, sizeof(data) - 8, buf, 16, "test"), VH_ERR_TRUNCATED);
	vh_zstream_free(zs);
	vh_file_close(&f);
	unlink(path);
	free(path);
	free(z);
}

/* Cut at every offset of the headers and notes, then every 256 bytes: never a crash. */
static void test_truncated(void **state)
{
	static struct img im;

	(void)state;
	build(&im, 3);
	for (size_t cut = 0; cut < im.len; cut += cut < DATA_OFF ? 1 : 256) {
		struct vh_test_opened o;
		struct vh_dump *d = open_img(im.d, cut, &o);
		struct vh_vma_list *l = NULL;
		size_t nw;
		const char *const *w;

		if (d) {
			assert_int_equal(vh_core_vmas(d, &l), VH_OK);
			vh_vma_list_free(l);
			w = vh_dump_warnings(d, &nw);
			/* a cut inside a segment's data names the missing range */
			if (cut > DATA_OFF) {
				assert_true(nw >= 1);
				assert_non_null(strstr(w[0], "missing"));
			}
		} else {
			assert_true(vh_errmsg()[0] != '\0');
		}
		vh_test_close(&o);
	}
}

/* NT_FILE claiming more entries than it holds: names lost, segments kept. */
static void test_bad_nt_file(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;
	size_t nw;

	(void)state;
	build(&im, 1ull << 60);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	assert_int_equal(vh_core_info(d)->nfiles, 0);
	assert_int_equal(vh_core_info(d)->nloads, 6);
	vh_dump_warnings(d, &nw);
	assert_int_equal(nw, 1);
	vh_test_close(&o);
}

/* e_phnum PN_XNUM: the count is in section header 0's sh_info. */
static void test_pn_xnum(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;

	(void)state;
	build(&im, 3);
	vh_test_put16(im.d + 56, 0xffff);
	vh_test_put64(im.d + 40, SHDR_OFF);
	vh_test_put16(im.d + 58, 64);
	vh_test_put32(im.d + SHDR_OFF + 44, PHNUM);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	assert_int_equal(vh_core_info(d)->nloads, 6);
	vh_test_close(&o);
}

/* A kernel vmcore is ET_CORE too: physical p_paddr and no process notes keep it ELF. */
static void test_vmcore_not_core(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;

	(void)state;
	build(&im, 3);
	vh_test_put32(im.d + PHOFF + 0, 1); /* the PT_NOTE becomes a PT_LOAD of physical memory */
	for (int i = 0; i < PHNUM; i++)
		vh_test_put64(im.d + PHOFF + 56 * i + 24, 0x100000 + (uint64_t)i * 0x10000);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	assert_int_equal(vh_dump_format(d), VH_FMT_ELF);
	assert_null(vh_core_info(d));
	vh_test_close(&o);
}

/* The same process on aarch64: read alike, its threads' registers are user_pt_regs. */
static void test_arm64(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;
	const struct vh_cpu_regs *r;
	size_t nw;

	(void)state;
	arm64 = true;
	build(&im, 3);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	assert_string_equal(vh_dump_arch(d), "aarch64");
	check_core(d, &im, false);
	r = vh_dump_cpu(d, 0);
	assert_true(r->have_gp);
	assert_int_equal(r->pid, 100); /* a thread id: NT_PRFPREG or not, no QEMU here */
	assert_int_equal(r->sp, STACK + 0x1000);
	assert_int_equal(r->x[29], STACK + 0x1040);
	assert_int_equal(r->pc, EXE_TEXT + 0x24);
	assert_int_equal(r->rsp, 0);
	vh_dump_warnings(d, &nw);
	assert_int_equal(nw, 0);
	vh_test_close(&o);

	/* Without AT_EXECFN the leader's sp (not rsp) finds the stack. */
	no_execfn = true;
	build(&im, 3);
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	check_core(d, &im, false);
	vh_test_close(&o);
	arm64 = no_execfn = false;
}

/* Another machine's core is refused, naming the machines read. */
static void test_other_machine(void **state)
{
	static struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, 3);
	vh_test_put16(im.d + 18, 243); /* EM_RISCV */
	assert_null(open_img(im.d, im.len, &o));
	assert_int_equal(o.err, VH_ERR_UNSUPPORTED);
	vh_test_expect_msg("offset 0x12: ELF machine 243 is not supported (expected EM_X86_64 (62) "
			   "or EM_AARCH64 (183))");
	vh_test_close(&o);
}

/* The aarch64 core cut at every offset of the headers and notes: never a crash. */
static void test_arm64_truncated(void **state)
{
	(void)state;
	arm64 = true;
	test_truncated(NULL);
	arm64 = false;
}

struct sink {
	unsigned heap_exec, other;
	unsigned char bytes[4];
};

static int count(const struct vh_finding *f, void *arg)
{
	struct sink *k = arg;

	if (!strcmp(f->detector, "heap-exec")) {
		k->heap_exec++;
		assert_true(f->nbytes >= 4);
		memcpy(k->bytes, f->bytes, 4);
	} else {
		k->other++;
	}
	return VH_OK;
}

static int read_core(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	return vh_dump_read_phys(arg, uaddr, buf, len);
}

/* The detectors on a core: an executable heap found, evidence read through the hook. */
static void test_scan(void **state)
{
	static struct img im;
	struct vh_test_opened o;
	struct vh_dump *d;
	struct vh_vma_list *l = NULL;
	struct vh_task_list *tl = NULL;
	struct sink k = {0};
	size_t n;
	const struct vh_detector *const *all = vh_detectors(&n);
	struct vh_scan s = {
	    .dets = (const struct vh_detector **)all, .ndets = n, .sink = count, .sink_arg = &k};

	(void)state;
	build(&im, 3);
	vh_test_put32(im.d + PHOFF + 2 * 56 + 4, 7); /* the heap: rwx */
	d = open_img(im.d, im.len, &o);
	assert_non_null(d);
	assert_int_equal(vh_core_vmas(d, &l), VH_OK);
	assert_int_equal(vh_core_tasks(d, &tl), VH_OK);
	assert_int_equal(vh_scan_run_process(&s, d, &tl->tasks[0], l, true, read_core, d), VH_OK);
	assert_true(s.process_only);
	assert_int_equal(k.heap_exec, 1);
	assert_memory_equal(k.bytes, im.d + DATA_OFF + PAGE, 4);
	vh_vma_list_free(l);
	vh_task_list_free(tl);
	vh_test_close(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),	    cmocka_unit_test(test_zstd),
	    cmocka_unit_test(test_zstream_seek),    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bad_nt_file),	    cmocka_unit_test(test_pn_xnum),
	    cmocka_unit_test(test_vmcore_not_core), cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_arm64),	    cmocka_unit_test(test_other_machine),
	    cmocka_unit_test(test_arm64_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
