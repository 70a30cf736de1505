/* SPDX-License-Identifier: MIT */
/*
 * ELF images rebuilt from memory (src/evidence/elfimage.c) on synthetic
 * images: a copy of a file (section headers at e_shoff) comes back byte for
 * byte; a loaded image (its data segment at its address, not its offset)
 * comes back with each segment at its file offset; unreadable memory is
 * zeros and an absent run; hostile headers (huge counts, offsets and sizes
 * that overflow, segments past the memory, no PT_LOAD, wrong class) are
 * refused or cut, never read out of bounds; thousands of seeded mutations of
 * a header keep every plan inside the memory given. And the names that
 * files.c makes of kernel paths, hostile ones included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vmahunt/evidence.h>
#include <vmahunt/vmahunt.h>

#include "evidence/elfimage.h"
#include "evidence/evidence_internal.h"
#include "evidence/files_internal.h"
#include "helpers/tmpfile.h"

#define MEM_SIZE 0x8000u

/* The memory an image is read from; pages in @hole fail with VH_ERR_EXCLUDED. */
struct mem {
	unsigned char b[MEM_SIZE];
	uint64_t size;
	uint64_t hole; /* offset of an unreadable page, or UINT64_MAX */
	unsigned reads_out;
};

static int rd(void *arg, uint64_t off, void *buf, size_t len)
{
	struct mem *m = arg;
	if (off > m->size || len > m->size - off) {
		m->reads_out++;
		return VH_ERR_INVAL;
	}
	if (m->hole != UINT64_MAX && off < m->hole + VH_EV_PAGE && off + len > m->hole)
		return VH_ERR_EXCLUDED;
	memcpy(buf, m->b + off, len);
	return 0;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void ehdr(unsigned char *b, uint16_t phnum, uint64_t shoff, uint16_t shnum)
{
	memset(b, 0, 64);
	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	b[4] = 2;
	b[5] = 1;
	b[6] = 1;
	put16(b + 16, 2);  /* ET_EXEC */
	put16(b + 18, 62); /* EM_X86_64 */
	put32(b + 20, 1);
	put64(b + 32, 64); /* e_phoff */
	put64(b + 40, shoff);
	put16(b + 52, 64);
	put16(b + 54, 56);
	put16(b + 56, phnum);
	put16(b + 58, 64);
	put16(b + 60, shnum);
	put16(b + 62, shnum ? (uint16_t)(shnum - 1) : 0);
}

static void phdr(unsigned char *b, unsigned i, uint32_t type, uint64_t off, uint64_t vaddr,
		 uint64_t filesz, uint64_t memsz)
{
	unsigned char *p = b + 64 + 56 * i;

	memset(p, 0, 56);
	put32(p, type);
	put32(p + 4, 5);
	put64(p + 8, off);
	put64(p + 16, vaddr);
	put64(p + 24, vaddr);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	put64(p + 48, 0x1000);
}

static void shdr(unsigned char *b, uint64_t shoff, unsigned i, uint32_t type, uint64_t off,
		 uint64_t size)
{
	unsigned char *s = b + shoff + 64 * i;

	memset(s, 0, 64);
	put32(s + 4, type);
	put64(s + 24, off);
	put64(s + 32, size);
}

static void fill(unsigned char *b, size_t off, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		b[off + i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

/*
 * The file of the tests: text [0, 0x1800) at 0x400000, data [0x1800, 0x1b00)
 * at 0x402800 (memsz 0x500: bss), a non-loaded section [0x1b00, 0x1c00), then
 * three section headers at 0x1c00: file size 0x1cc0.
 */
#define FILE_SIZE 0x1cc0u
static void make_file(unsigned char *f)
{
	memset(f, 0, FILE_SIZE);
	fill(f, 0, FILE_SIZE, 3);
	ehdr(f, 3, 0x1c00, 3);
	phdr(f, 0, 1, 0, 0x400000, 0x1800, 0x1800);
	phdr(f, 1, 1, 0x1800, 0x402800, 0x300, 0x500);
	phdr(f, 2, 0x6474e551, 0, 0, 0, 0); /* PT_GNU_STACK */
	shdr(f, 0x1c00, 0, 0, 0, 0);
	shdr(f, 0x1c00, 1, 1, 0x1000, 0x800);
	shdr(f, 0x1c00, 2, 3, 0x1b00, 0x100);
}

static char *tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t = NULL;

	assert_true(asprintf(&t, "%s/vh-elfimg-XXXXXX", base && *base ? base : P_tmpdir) > 0);
	assert_non_null(mkdtemp(t));
	return t;
}

static void rm_rf(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Writes @img from @m into a fresh folder; returns the file's bytes (malloc'ed). */
static unsigned char *rebuild(const struct vh_elfimg *img, struct mem *m, struct vh_ev_absent *a,
			      size_t *len)
{
	struct vh_evidence_dir *d;
	struct vh_ev_file *f;
	char sha[65], path[512];
	char *dir = tmpdir();
	unsigned char *buf;
	FILE *in;

	assert_int_equal(vh_evidence_dir_open(dir, "files", "test", NULL, &d), VH_OK);
	assert_int_equal(vh_ev_file_create(d, "anon-elf/1-x-0.elf", &f), VH_OK);
	assert_int_equal(vh_elfimg_write(img, rd, m, f, a), VH_OK);
	assert_int_equal(vh_ev_file_size(f), img->size);
	assert_int_equal(vh_ev_file_finish(f, sha), VH_OK);
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
	snprintf(path, sizeof(path), "%s/anon-elf/1-x-0.elf", dir);
	in = fopen(path, "rb");
	assert_non_null(in);
	buf = malloc(img->size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, img->size + 1, in);
	fclose(in);
	rm_rf(dir);
	free(dir);
	return buf;
}

static struct mem *mem_new(void)
{
	struct mem *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->size = MEM_SIZE;
	m->hole = UINT64_MAX;
	return m;
}

static void test_file_copy(void **state)
{
	struct mem *m = mem_new();
	struct vh_elfimg img;
	struct vh_ev_absent a = {0};
	unsigned char *out;
	size_t len;

	(void)state;
	make_file(m->b);
	vh_test_seed("elfimage", m->b, FILE_SIZE); /* tests/fuzz/fuzz_elfimage.c */
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_int_equal(img.layout, VH_ELFIMG_FILE);
	assert_true(img.shdrs);
	assert_false(img.cut);
	assert_int_equal(img.size, FILE_SIZE);
	assert_int_equal(img.e_machine, 62);
	out = rebuild(&img, m, &a, &len);
	assert_int_equal(len, FILE_SIZE);
	assert_memory_equal(out, m->b, FILE_SIZE);
	assert_int_equal(a.n, 0);
	free(out);
	vh_ev_absent_free(&a);
	assert_int_equal(m->reads_out, 0);
	free(m);
}

/* The same file as the loader maps it: data at 0x2800, no section headers in memory. */
static void test_loaded_image(void **state)
{
	unsigned char file[FILE_SIZE];
	struct mem *m = mem_new();
	struct vh_elfimg img;
	struct vh_ev_absent a = {0};
	unsigned char *out;
	size_t len;

	(void)state;
	make_file(file);
	memcpy(m->b, file, 0x1800);
	memcpy(m->b + 0x2800, file + 0x1800, 0x300);
	vh_test_seed("elfimage", m->b, 0x3000);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x3000, &img), VH_OK);
	assert_int_equal(img.layout, VH_ELFIMG_LOADED);
	assert_false(img.shdrs);
	assert_int_equal(img.npieces, 2);
	assert_int_equal(img.pieces[1].file_off, 0x1800);
	assert_int_equal(img.pieces[1].mem_off, 0x2800);
	assert_int_equal(img.size, 0x1b00);
	out = rebuild(&img, m, &a, &len);
	assert_int_equal(len, 0x1b00);
	assert_memory_equal(out, file,
			    0x1b00); /* the sections and headers after are not in memory */
	free(out);
	vh_ev_absent_free(&a);

	/* the file layout would fit too, but its section headers are not where e_shoff says */
	assert_int_equal(vh_elfimg_plan(rd, m, MEM_SIZE, &img), VH_OK);
	assert_int_equal(img.layout, VH_ELFIMG_LOADED);
	/* a loaded image too large for the memory given is taken as a file copy */
	assert_int_equal(vh_elfimg_plan(rd, m, 0x1cc0, &img), VH_OK);
	assert_int_equal(img.layout, VH_ELFIMG_FILE);
	assert_int_equal(m->reads_out, 0);
	free(m);
}

static void test_unreadable_page(void **state)
{
	struct mem *m = mem_new();
	struct vh_elfimg img;
	struct vh_ev_absent a = {0};
	unsigned char *out, zero[VH_EV_PAGE] = {0};
	size_t len;

	(void)state;
	make_file(m->b);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	m->hole = 0x1000;
	out = rebuild(&img, m, &a, &len);
	assert_int_equal(len, FILE_SIZE);
	assert_memory_equal(out, m->b, 0x1000);
	assert_memory_equal(out + 0x1000, zero, FILE_SIZE - 0x1000);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.runs[0].start, 0x1000);
	assert_int_equal(a.runs[0].end, FILE_SIZE);
	assert_int_equal(a.runs[0].err, VH_ERR_EXCLUDED);
	assert_int_equal(a.pages, 1);
	free(out);
	vh_ev_absent_free(&a);
	/* the header itself unreadable: nothing to rebuild */
	m->hole = 0;
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_ERR_FORMAT);
	assert_non_null(strstr(img.why, "unreadable"));
	free(m);
}

static void expect_refused(struct mem *m, uint64_t avail, const char *why)
{
	struct vh_elfimg img;

	assert_int_equal(vh_elfimg_plan(rd, m, avail, &img), VH_ERR_FORMAT);
	if (!strstr(img.why, why))
		fail_msg("refused for \"%s\", expected \"%s\"", img.why, why);
	assert_int_equal(img.npieces, 0);
	assert_int_equal(m->reads_out, 0);
}

static void test_hostile_headers(void **state)
{
	struct mem *m = mem_new();
	struct vh_elfimg img;

	(void)state;
	expect_refused(m, 0x2000, "no ELF magic");
	make_file(m->b);
	expect_refused(m, 32, "shorter than an ELF header");
	m->b[4] = 1; /* ELFCLASS32 */
	expect_refused(m, 0x2000, "64-bit");
	make_file(m->b);
	put16(m->b + 56, 0xffff);
	expect_refused(m, 0x2000, "e_phnum 65535");
	put16(m->b + 56, 0);
	expect_refused(m, 0x2000, "no program headers");
	make_file(m->b);
	put16(m->b + 54, 32);
	expect_refused(m, 0x2000, "e_phentsize 32");
	make_file(m->b);
	put64(m->b + 32, UINT64_MAX - 8); /* e_phoff + size overflows */
	expect_refused(m, 0x2000, "past the");
	put64(m->b + 32, 0x1ff0); /* the table runs past the memory */
	expect_refused(m, 0x2000, "past the");

	/* no PT_LOAD left: one overflows, one has filesz > memsz */
	make_file(m->b);
	phdr(m->b, 0, 1, UINT64_MAX - 0x10, 0x400000, 0x100, 0x100);
	phdr(m->b, 1, 1, 0x1800, 0x402800, 0x600, 0x500);
	expect_refused(m, 0x2000, "no usable PT_LOAD");

	/* a segment far past the memory: the file is cut at the memory's end */
	make_file(m->b);
	phdr(m->b, 1, 1, 0x1800, 0x401800, 1ull << 40, 1ull << 40);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_true(img.cut);
	assert_int_equal(img.size, 0x2000);
	assert_int_equal(img.npieces, 1);

	/* huge section header counts, an e_shoff that overflows: no section headers */
	make_file(m->b);
	put16(m->b + 60, 0xffff);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_false(img.shdrs);
	put64(m->b + 40, UINT64_MAX - 0x40);
	put16(m->b + 60, 3);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_false(img.shdrs);
	/* a section header naming bytes past the file */
	make_file(m->b);
	shdr(m->b, 0x1c00, 1, 1, 0x1000, UINT64_MAX);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_false(img.shdrs);

	/* a PT_LOAD below the image's base: no loaded layout */
	make_file(m->b);
	phdr(m->b, 1, 1, 0x1800, 0x100, 0x300, 0x300);
	assert_int_equal(vh_elfimg_plan(rd, m, 0x2000, &img), VH_OK);
	assert_int_equal(img.layout, VH_ELFIMG_FILE);
	assert_int_equal(m->reads_out, 0);
	free(m);
}

/* Seeded mutations of the header and program headers: every plan stays inside the memory. */
static void test_mutations(void **state)
{
	struct mem *m = mem_new();
	unsigned char orig[0x200];
	uint64_t seed = 0x5eed;
	unsigned planned = 0;

	(void)state;
	make_file(m->b);
	memcpy(orig, m->b, sizeof(orig));
	for (int round = 0; round < 20000; round++) {
		struct vh_elfimg img;
		uint64_t avail = 0x100 + (uint64_t)(round * 977) % (MEM_SIZE - 0x100);

		memcpy(m->b, orig, sizeof(orig));
		for (int k = 0; k < 1 + round % 6; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			unsigned at = 16 + (unsigned)(seed >> 33) % (64 + 3 * 56 - 16);
			m->b[at] = (unsigned char)(seed >> 20);
			if (seed & 0x100)
				m->b[at] = 0xff;
		}
		if (vh_elfimg_plan(rd, m, avail, &img))
			continue;
		planned++;
		assert_true(img.size <= avail);
		assert_true(img.npieces <= VH_ELFIMG_MAX_PHDRS + 1);
		for (size_t i = 0; i < img.npieces; i++) {
			const struct vh_elfimg_piece *p = &img.pieces[i];

			assert_true(p->len > 0);
			assert_true(p->mem_off < avail && p->len <= avail - p->mem_off);
			assert_true(p->file_off + p->len <= img.size);
			if (i)
				assert_true(p->file_off >=
					    img.pieces[i - 1].file_off + img.pieces[i - 1].len);
		}
	}
	assert_true(planned > 1000);
	assert_int_equal(m->reads_out, 0);
	free(m);
}

static void expect_name(const char *path, const char *want)
{
	char out[80];
	size_t n = vh_ev_file_basename(path, out, sizeof(out));

	if (strcmp(out, want))
		fail_msg("%s: \"%s\", expected \"%s\"", path, out, want);
	assert_int_equal(n, strlen(want));
}

/* Names of kernel paths, hostile ones too: each is one safe component that can be created. */
static void test_names(void **state)
{
	static const char *hostile[] = {
	    "/memfd:x (deleted)",
	    "../../../etc/passwd",
	    "/a/b/..",
	    "/a/b/.",
	    "/",
	    "",
	    " (deleted)",
	    "/tmp/\n\x1b[31mred\x07 (deleted)",
	    "/tmp/caf\xc3\xa9 na\xefve",
	    "/x/" /* ends in a slash */,
	    "anon_inode:[eventfd]",
	    "[unreadable]/busybox",
	    "/dev/shm/.hidden",
	};
	char longname[5000];
	char *dir = tmpdir();
	struct vh_evidence_dir *d;

	(void)state;
	expect_name("/memfd:vmahunt-fileless (deleted)", "memfd_vmahunt-fileless");
	expect_name("/tmp/vmahunt-deleted.bin (deleted)", "vmahunt-deleted.bin");
	expect_name("/lab/bin/reflect", "reflect");
	expect_name("../../../etc/passwd", "passwd");
	expect_name("/a/b/..", "_.");
	expect_name("/", "_");
	expect_name("", "_");
	expect_name(" (deleted)", "_");
	expect_name("/tmp/a (deleted) (deleted)", "a__deleted_");
	expect_name("/tmp/\n\x1b[31mred\x07 (deleted)", "___31mred_");
	expect_name("/dev/shm/.hidden", "_hidden");
	expect_name("anon_inode:[eventfd]", "anon_inode__eventfd_");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	{
		char out[80];

		assert_int_equal(vh_ev_file_basename(longname, out, sizeof(out)), 79);
	}
	/* every name becomes a file inside the folder */
	assert_int_equal(vh_evidence_dir_open(dir, "files", "test", NULL, &d), VH_OK);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char base[80], rel[160];
		struct vh_ev_file *f;
		char sha[65];

		vh_ev_file_basename(hostile[i], base, sizeof(base));
		assert_null(strchr(base, '/'));
		assert_true(base[0] && base[0] != '.');
		snprintf(rel, sizeof(rel), "files/%016zx-%s", i, base);
		assert_int_equal(vh_ev_file_create(d, rel, &f), VH_OK);
		assert_int_equal(vh_ev_file_finish(f, sha), VH_OK);
	}
	assert_int_equal(vh_evidence_dir_close(d, true), VH_OK);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_copy),	    cmocka_unit_test(test_loaded_image),
	    cmocka_unit_test(test_unreadable_page), cmocka_unit_test(test_hostile_headers),
	    cmocka_unit_test(test_mutations),	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
