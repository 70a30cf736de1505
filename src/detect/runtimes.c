/* SPDX-License-Identifier: MIT */
/*
 * Calibration for language runtimes: anonymous writable and executable memory
 * is how libffi places its closure trampolines (ctypes and cffi callbacks)
 * and how most JITs keep their code caches. Such memory in a process that
 * maps the runtime, and that looks like the runtime's, is not reported high.
 */
#include "detect/detectors.h"

#include <string.h>

/* libffi closure pages looked at (libffi allocates them a page at a time). */
#define FFI_PAGES 16
/* LuaJIT: machine-code areas chained per VMA at most, and the reach of its jumps to the VM */
#define MCODE_AREAS 64
#define MCODE_REACH (2ull << 30)
/* the largest machine-code area believed (LuaJIT's sizemcode: 32-64 KiB by default; its
 * maxmcode, the total, 512 KiB); also the most memory said LuaJIT's unverified */
#define MCODE_AREA_MAX (4ull << 20)
/* luajit_mcode(): the memory is not LuaJIT's machine code */
#define NOT_MCODE 1

/* The last path component starts with @prefix. */
static bool base_starts(const char *path, const char *prefix)
{
	const char *b = strrchr(path ? path : "", '/');

	return !strncmp(b ? b + 1 : (path ? path : ""), prefix, strlen(prefix));
}

/* An executable file mapping of the process whose file name starts with @prefix. */
static bool maps_exec(const struct vh_vma_list *l, const char *prefix)
{
	for (size_t i = 0; l && i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (v->file && (v->flags & VH_VM_EXEC) && base_starts(v->path, prefix))
			return true;
	}
	return false;
}

/* Whether @addr lies in an executable mapping of libffi. */
static bool in_libffi_text(const struct vh_vma_list *l, uint64_t addr)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (v->file && (v->flags & VH_VM_EXEC) && base_starts(v->path, "libffi") &&
		    addr >= v->start && addr < v->end)
			return true;
	}
	return false;
}

/*
 * A libffi closure trampoline at @b[i] (arm64, libffi's aarch64 ffi.c: ldr
 * x16, #16; adr x17, #0; br x16; then the 8-byte target at +16, 4-byte
 * aligned).
 */
static bool ffi_tramp_arm64(const unsigned char *b, size_t n, size_t i, uint64_t *target)
{
	static const unsigned char tramp[] = {0x90, 0x00, 0x00, 0x58, 0xf1, 0xff,
					      0xff, 0x10, 0x00, 0x02, 0x1f, 0xd6};

	if (i % 4 || i + 24 > n || memcmp(b + i, tramp, sizeof(tramp)))
		return false;
	memcpy(target, b + i + 16, 8);
	return true;
}

/*
 * A libffi closure trampoline at @b[i] (x86-64): libffi 3.4 built with CET
 * (endbr64; lea -11(%rip),%r10; jmp *7(%rip); nopl; the 8-byte target at
 * +24), or libffi 3.3 and older (movabs $target,%r11; movabs $data,%r10;
 * jmp *%r11).
 */
static bool ffi_tramp(int arch, const unsigned char *b, size_t n, size_t i, uint64_t *target)
{
	static const unsigned char cet[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x4c, 0x8d, 0x15, 0xf5, 0xff,
					    0xff, 0xff, 0xff, 0x25, 0x07, 0x00, 0x00, 0x00};

	if (arch == VH_ARCH_ARM64)
		return ffi_tramp_arm64(b, n, i, target);

	if (i + 32 <= n && !memcmp(b + i, cet, sizeof(cet))) {
		memcpy(target, b + i + 24, 8);
		return true;
	}
	if (i + 23 <= n && b[i] == 0x49 && b[i + 1] == 0xbb && b[i + 10] == 0x49 &&
	    b[i + 11] == 0xba && b[i + 20] == 0x49 && b[i + 21] == 0xff && b[i + 22] == 0xe3) {
		memcpy(target, b + i + 2, 8);
		return true;
	}
	return false;
}

/* Counts libffi trampolines in @v: *good jump into libffi, *bad elsewhere. */
static int count_tramps(const struct vh_detect_ctx *ctx, const struct vh_vma *v, size_t *good,
			size_t *bad)
{
	unsigned char page[4096];
	uint64_t end = v->end - v->start > FFI_PAGES * sizeof(page)
			   ? v->start + FFI_PAGES * sizeof(page)
			   : v->end;
	int arch = vh_detect_isa(ctx)->arch, err = VH_OK;

	*good = *bad = 0;
	for (uint64_t a = v->start; a < end && !err; a += sizeof(page)) {
		err = vh_detect_read(ctx, a, page, sizeof(page));
		for (size_t i = 0; !err && i < sizeof(page); i++) {
			uint64_t target;

			if (ffi_tramp(arch, page, sizeof(page), i, &target))
				*(in_libffi_text(ctx->vmas, target) ? good : bad) += 1;
		}
	}
	return err;
}

/* The executable file mapping of LuaJIT (the luajit program or libluajit), or NULL. */
static const struct vh_vma *luajit_text(const struct vh_vma_list *l)
{
	for (size_t i = 0; l && i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (v->file && (v->flags & VH_VM_EXEC) &&
		    (base_starts(v->path, "luajit") || base_starts(v->path, "libluajit")))
			return v;
	}
	return NULL;
}

/* Whether @addr starts an anonymous executable VMA of the process. */
static bool anon_exec_start(const struct vh_vma_list *l, uint64_t addr)
{
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (!v->file && (v->flags & VH_VM_EXEC) && addr >= v->start && addr < v->end)
			return !((addr - v->start) & 4095);
	}
	return false;
}

/* An MCLink's size: page-sized, no larger than an area is, within @room. */
static bool link_ok(const uint64_t link[2], uint64_t room)
{
	return link[1] && !(link[1] & 4095) && link[1] <= MCODE_AREA_MAX && link[1] <= room;
}

/* The area a link points back to starts with an MCLink of its own. */
static int linked_area(const struct vh_detect_ctx *ctx, uint64_t at)
{
	uint64_t link[2];
	int err = vh_detect_read(ctx, at, link, sizeof(link));

	if (err)
		return err;
	return link_ok(link, MCODE_AREA_MAX) ? VH_OK : NOT_MCODE;
}

/*
 * LuaJIT's machine-code areas (lj_mcode.c): each is mmap()ed within jump reach
 * of the VM's code and begins with an MCLink { MCode *next; size_t size; }:
 * the previous area (or NULL) and the area's own size. Areas the kernel merged
 * into one VMA follow each other. Returns VH_OK and *areas when every area of
 * @v links so, NOT_MCODE when one does not, or the read's error.
 */
static int luajit_mcode(const struct vh_detect_ctx *ctx, const struct vh_vma *v, size_t *areas)
{
	const struct vh_vma *vm = luajit_text(ctx->vmas);
	uint64_t at = v->start, link[2];
	int err;

	*areas = 0;
	if (!vm || (v->start < vm->start ? vm->start - v->start : v->end - vm->end) > MCODE_REACH)
		return NOT_MCODE;
	while (at < v->end) {
		if (*areas == MCODE_AREAS)
			return NOT_MCODE;
		err = vh_detect_read(ctx, at, link, sizeof(link));
		if (err)
			return err;
		if (!link_ok(link, v->end - at) ||
		    (link[0] && !anon_exec_start(ctx->vmas, link[0])))
			return NOT_MCODE;
		if (link[0] && (err = linked_area(ctx, link[0])))
			return err == VH_ERR_EXCLUDED || err == VH_ERR_NOT_PRESENT ? err
										   : NOT_MCODE;
		at += link[1];
		++*areas;
	}
	return VH_OK;
}

/*
 * Anonymous executable memory of a JIT: @sev if it is nothing known, info
 * (why says so) if it is LuaJIT's machine code, verified by its links, or
 * unverified for want of the content in a LuaJIT process.
 */
enum vh_severity vh_exec_calibrate(const struct vh_detect_ctx *ctx, const struct vh_vma *v,
				   enum vh_severity sev, char *why, size_t len)
{
	size_t areas;
	int err = luajit_mcode(ctx, v, &areas);

	if (!err) {
		snprintf(why, len,
			 "LuaJIT machine code (%zu area%s, each linked to the previous and sized "
			 "as mapped, within jump reach of luajit's code)",
			 areas, areas == 1 ? "" : "s");
		return VH_SEV_INFO;
	}
	if ((err == VH_ERR_EXCLUDED || err == VH_ERR_NOT_PRESENT) &&
	    v->end - v->start <= MCODE_AREA_MAX) {
		snprintf(why, len,
			 "executable anonymous memory in a LuaJIT process: its machine code, "
			 "likely; not verified (the content is not in the dump)");
		return VH_SEV_INFO;
	}
	return sev;
}

/* JIT runtimes whose code caches are writable and executable, by library or program. */
static const char *jit_runtime(const struct vh_detect_ctx *ctx)
{
	static const char *const libs[] = {"libjvm.so",	   "libnode.so",  "libv8",
					   "libmozjs",	   "libluajit",	  "libcoreclr.so",
					   "libclrjit.so", "libmonosgen", "libjavascriptcoregtk",
					   "libQt5Qml",	   "libQt6Qml",	  "libpcre2-8.so",
					   "libLLVM",	   "libruby",	  "luajit"};
	static const char *const progs[] = {"node", "java", "dotnet", "pypy", "luajit"};

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		if (maps_exec(ctx->vmas, libs[i]))
			return libs[i];
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (!strcmp(ctx->task->comm, progs[i]))
			return progs[i];
	}
	return NULL;
}

enum vh_severity vh_rwx_calibrate(const struct vh_detect_ctx *ctx, const struct vh_vma *v,
				  char *why, size_t len)
{
	const char *jit;
	size_t good, bad;

	if (maps_exec(ctx->vmas, "libffi") && v->end - v->start <= FFI_PAGES * 4096) {
		int err = count_tramps(ctx, v, &good, &bad);

		if (!err && good && !bad) {
			snprintf(why, len,
				 "libffi closure trampolines (%zu, each jumping into libffi): "
				 "ctypes or cffi callbacks",
				 good);
			return VH_SEV_INFO;
		}
		if (err) {
			snprintf(why, len,
				 "small writable and executable anonymous memory in a process "
				 "using libffi: its closure trampolines, likely; not verified (the "
				 "content is not in the dump)");
			/* usually legitimate, as info says; the reason says it is unverified */
			return VH_SEV_INFO;
		}
	}
	if (vh_exec_calibrate(ctx, v, VH_SEV_HIGH, why, len) == VH_SEV_INFO)
		return VH_SEV_INFO; /* LuaJIT built without W^X for its code */
	jit = jit_runtime(ctx);
	if (jit) {
		snprintf(why, len,
			 "writable and executable anonymous memory in a process running a JIT "
			 "(%s): its code cache, likely",
			 jit);
		return VH_SEV_LOW;
	}
	snprintf(why, len, "anonymous memory both writable and executable");
	return VH_SEV_HIGH;
}
