/* SPDX-License-Identifier: MIT */
/* Built-in detectors defined outside builtin.c, listed by vh_detectors(). */
#ifndef VH_DETECT_DETECTORS_H
#define VH_DETECT_DETECTORS_H

#include <vmahunt/detect.h>

#include "arch/isa.h"

#include <stdio.h>

/* pagetables.c: page tables against VMAs; kstructs.c: kernel structures against each other */
extern const struct vh_detector vh_detector_hidden_pages;
extern const struct vh_detector vh_detector_pte_perm;
extern const struct vh_detector vh_detector_code_modified;
extern const struct vh_detector vh_detector_hidden_task;
extern const struct vh_detector vh_detector_vma_tree;
extern const struct vh_detector vh_detector_writable_lib;
extern const struct vh_detector vh_detector_static_loader;
extern const struct vh_detector vh_detector_lib_twice;
extern const struct vh_detector vh_detector_exe_unmapped;
extern const struct vh_detector vh_detector_pte_rmap;
extern const struct vh_detector vh_detector_syscall_hook;
extern const struct vh_detector vh_detector_task_flags;
extern const struct vh_detector vh_detector_unmapped_payload;
extern const struct vh_detector vh_detector_slab_xview;

/*
 * runtimes.c: the severity of an anonymous rwx VMA of ctx's process: info for libffi
 * closure trampolines that jump into the libffi it maps (and for such small memory whose
 * content the dump lacks, in a process using libffi: said unverified), info for LuaJIT's
 * machine code (built without W^X), low in a process running a JIT, else high; @why
 * receives the reason.
 */
enum vh_severity vh_rwx_calibrate(const struct vh_detect_ctx *ctx, const struct vh_vma *v,
				  char *why, size_t len);
/*
 * runtimes.c: the severity of an anonymous executable (not writable) VMA: info for
 * LuaJIT's machine-code areas in a process running LuaJIT (verified by their links; said
 * unverified when the dump lacks the content), else @sev; @why receives the reason then.
 */
enum vh_severity vh_exec_calibrate(const struct vh_detect_ctx *ctx, const struct vh_vma *v,
				   enum vh_severity sev, char *why, size_t len);

/* unmapped.c: what one page of a file holds that looks like code, strongest last. */
enum vh_payload_sign {
	VH_PAYLOAD_NONE = 0,
	VH_PAYLOAD_SLED,      /* a NOP sled alone */
	VH_PAYLOAD_STUB,      /* a raw syscall stub alone */
	VH_PAYLOAD_SHELLCODE, /* both in the page */
	VH_PAYLOAD_ELF, /* an ELF header of code (ET_REL, ET_EXEC, ET_DYN) at the page start */
};

struct vh_payload_hit {
	enum vh_payload_sign sign;
	size_t offset;		    /* in the page: the sled's (or the stub's when alone); 0: ELF */
	uint16_t e_type, e_machine; /* VH_PAYLOAD_ELF */
};

/*
 * Judges the @n bytes of one page at @b (an ELF header counts at its start
 * only; sleds and stubs are @isa's).
 */
void vh_payload_page(const struct vh_isa *isa, const unsigned char *b, size_t n,
		     struct vh_payload_hit *hit);

/* The severity of a sign: high for an ELF image or shellcode, info for one weak sign. */
enum vh_severity vh_payload_severity(enum vh_payload_sign sign);

/*
 * The kind of a tmpfs/shmem file held open, from its d_path name: "memfd"
 * ("/memfd:..."), "posix-shm" ("/dev/shm/..."), else "tmpfs-file"; @cap receives
 * the most severe finding it may give: high for shared memory, medium for
 * another tmpfs file unlinked, low for one with a name.
 */
const char *vh_payload_file_kind(const char *path, enum vh_severity *cap);

/* slabxview.c: one SLUB cache's layout, as far as its slabs' free lists need it. */
struct vh_slab_cache {
	uint32_t size;	       /* s->size: objects are this far apart */
	uint32_t offset;       /* s->offset: where a free object holds the next one's address */
	uint32_t red_left_pad; /* s->red_left_pad: bytes before the first object */
	bool hardened;	       /* CONFIG_SLAB_FREELIST_HARDENED: pointers are masked */
	uint64_t random;       /* s->random: the mask's secret */
};

/*
 * Marks in @free ((@nobj + 7) / 8 bytes) the objects of the slab at kernel address
 * @base (its first @len bytes at @mem) that the free chains starting at @heads
 * reach. Each chain is bounded by @nobj; a pointer that is not an object of the
 * slab, or an object reached twice, makes the slab undecodable.
 * Return: VH_OK or VH_ERR_CORRUPT.
 */
int vh_slab_free(const struct vh_slab_cache *c, uint64_t base, const unsigned char *mem, size_t len,
		 uint32_t nobj, const uint64_t *heads, size_t nheads, uint8_t *free);

/* shared.c: what several detectors share. */

/* One warning for the run, prefixed "DET: ", not with the process being scanned. */
void vh_detect_warn_run(struct vh_detect_ctx *ctx, const char *det, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frames of the dump's RAM (the end of its highest range), at most 2^@max_bits. */
uint64_t vh_detect_ram_pfns(struct vh_dump *d, unsigned max_bits);

/* The index of the first task of thread group @tgid in @tl (sorted by tgid; NULL: 0). */
size_t vh_detect_group_start(const struct vh_task_list *tl, int32_t tgid);

/*
 * The instruction set of ctx's process: its page tables' architecture, or a
 * process core's (arch/isa.h: NOP sleds, system-call stubs, capstone mode).
 */
const struct vh_isa *vh_detect_isa(const struct vh_detect_ctx *ctx);

/* The leader of thread group @tgid in @tl, or NULL. */
const struct vh_task *vh_detect_leader(const struct vh_task_list *tl, int32_t tgid);

/* A finding about task @t (pid, comm; the range is the task_struct's address). */
int vh_detect_emit_task(struct vh_detect_ctx *ctx, const char *det, const struct vh_task *t,
			enum vh_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
