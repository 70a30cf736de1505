/* SPDX-License-Identifier: MIT */
/*
 * Tells of a rootkit that hides processes from the live system (the
 * Diamorphine style: a task flag marks the process, hooked system calls
 * leave it out of /proc listings and signals). Memory forensics still sees
 * such a process on every kernel list, so what gives it away is the tampering
 * itself:
 *   syscall-hook  an entry of sys_call_table or ia32_sys_call_table that
 *                 points outside the kernel's core text: to a module (named),
 *                 to a module no longer on the modules list (one that hid
 *                 itself), or to other executable memory
 *   task-flags    a task whose flags hold bits this kernel release does not
 *                 define, or PF_MEMALLOC_PIN (PF_MEMALLOC_NOCMA before 5.12:
 *                 Diamorphine's PF_INVISIBLE bit) held by a task that is not
 *                 running or in an uninterruptible wait, outside the only
 *                 scope the kernel sets it in (a long-term get_user_pages())
 * Both read kernel memory only, so they run on dumps without user pages.
 */
#include <vmahunt/arch.h>
#include <vmahunt/detect.h>

#include "arch/vread.h"
#include "detect/detectors.h"
#include "kernel/modules.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries read from a table at most (x86-64 has about 470 system calls). */
#define MAX_SYSCALLS 1024
/* Hooked entries reported one by one; more are summed up in one finding. */
#define MAX_HOOK_FINDINGS 64

/* --- syscall-hook -------------------------------------------------------- */

struct hook_scan {
	struct vh_detect_ctx *ctx;
	struct vh_module_list mods;
	bool mods_read;
	uint64_t text_start, text_end; /* the core kernel text, relocated */
	uint64_t exec_page;	       /* the last page found executable, cached */
	unsigned reported;
};

/* Is @addr in executable kernel memory? (The kernel's own page tables say.) */
static bool kernel_exec(struct hook_scan *s, uint64_t addr)
{
	struct vh_translation t;

	if ((addr & ~0xfffull) == s->exec_page)
		return true;
	if (vh_translate(s->ctx->d, &s->ctx->km->mmu, s->ctx->km->pgd, addr, &t) || !t.executable)
		return false;
	s->exec_page = addr & ~0xfffull;
	return true;
}

static const struct vh_module *hook_module(struct hook_scan *s, uint64_t addr)
{
	if (!s->mods_read) {
		struct vh_vread kr;
		int err;

		s->mods_read = true;
		vh_vread_kernel(&kr, s->ctx->d, s->ctx->km);
		err = vh_modules_read(&kr, s->ctx->prof, s->ctx->km->kaslr_offset, &s->mods);
		if (err)
			vh_detect_warn_run(s->ctx, "syscall-hook",
					   "the modules list cannot be read (%s)",
					   vh_strerror(err));
		for (size_t i = 0; i < s->mods.nwarnings; i++)
			vh_detect_warn_run(s->ctx, "syscall-hook", "%s", s->mods.warnings[i]);
	}
	return vh_module_at(&s->mods, addr);
}

static int emit_hook(struct hook_scan *s, const char *table, uint64_t base, size_t nr,
		     uint64_t target)
{
	const struct vh_module *m = hook_module(s, target);
	struct vh_finding f;
	char reason[256], where[128];

	if (m)
		snprintf(where, sizeof(where), "module %s (struct module 0x%" PRIx64 ")", m->name,
			 m->addr);
	else if (s->mods.n || !s->mods.partial)
		snprintf(where, sizeof(where),
			 "memory of no module on the modules list (a module that hid itself, "
			 "or code placed by hand)");
	else
		snprintf(where, sizeof(where), "memory outside the kernel's text");
	memset(&f, 0, sizeof(f));
	f.detector = "syscall-hook";
	f.severity = VH_SEV_HIGH;
	f.reason = reason;
	f.start = base + 8 * (uint64_t)nr;
	f.end = f.start + 8;
	f.path = m ? m->name : "";
	snprintf(reason, sizeof(reason),
		 "%s[%zu] points to 0x%" PRIx64 " in %s, not into the kernel's text", table, nr,
		 target, where);
	return vh_detect_emit(s->ctx, &f, NULL, 0);
}

/*
 * The table's entries up to the first that is no executable address: the
 * table's end (what follows is other read-only data). Entries into the
 * core text are the kernel's own; others are hooks.
 */
static int scan_table(struct hook_scan *s, const char *name, uint64_t base, size_t max)
{
	uint64_t buf[512];
	size_t hooked = 0, n = 0, last = 0, have = 0, first = 0;
	bool unreadable = false;
	uint64_t v = 0;
	int err;

	if (max > MAX_SYSCALLS)
		max = MAX_SYSCALLS;
	if (base & 7) { /* an array of pointers: a page never ends inside one of its entries */
		vh_detect_warn_run(s->ctx, "syscall-hook",
				   "%s at 0x%" PRIx64 " is not 8-byte aligned: not a table", name,
				   base);
		return VH_OK;
	}
	for (; n < max; n++) {
		if (n == have) { /* the next page of the table */
			uint64_t a = base + 8 * (uint64_t)n;
			size_t k = (size_t)((4096 - (a & 4095)) / 8);

			k = k < max - n ? k : max - n;
			err = vh_kernel_read(s->ctx->d, s->ctx->km, a, buf, 8 * k);
			if (err) {
				vh_detect_warn_run(s->ctx, "syscall-hook",
						   "%s at 0x%" PRIx64
						   ": entries from %zu cannot be read (%s)",
						   name, base, n, vh_strerror(err));
				unreadable = true;
				break;
			}
			first = n;
			have = n + k;
		}
		v = buf[n - first];
		if (v >= s->text_start && v < s->text_end)
			continue;
		if (!kernel_exec(s, v))
			break;
		hooked++, last = n;
		if (s->reported++ < MAX_HOOK_FINDINGS) {
			err = emit_hook(s, name, base, n, v);
			if (err)
				return err;
		}
	}
	if (n < 16 && n < max && !unreadable)
		vh_detect_warn_run(s->ctx, "syscall-hook",
				   "%s at 0x%" PRIx64 ": entry %zu (0x%" PRIx64
				   ") is no code address: "
				   "not a system call table",
				   name, base, n, v);
	if (hooked && s->reported > MAX_HOOK_FINDINGS)
		vh_detect_warn_run(s->ctx, "syscall-hook",
				   "%s: %zu entries hooked, the last %zu; the first %d reported",
				   name, hooked, last, MAX_HOOK_FINDINGS);
	return VH_OK;
}

/* Entries of @table before the other table (when it follows), else MAX_SYSCALLS. */
static size_t table_room(uint64_t table, uint64_t other)
{
	if (other > table && (other - table) / 8 < MAX_SYSCALLS)
		return (size_t)((other - table) / 8);
	return MAX_SYSCALLS;
}

static int syscall_hook_finish(void *st, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	struct hook_scan s = {.ctx = ctx};
	uint64_t k, x64, ia32 = 0;
	int err = VH_OK;

	(void)st;
	if (!p || !ctx->km)
		return VH_OK; /* a process core: no kernel */
	if (!vh_present(&p->sym.sys_call_table) || !vh_present(&p->sym._stext) ||
	    !vh_present(&p->sym._etext)) {
		vh_detect_warn_run(ctx, "syscall-hook",
				   "skipped: the profile lacks sys_call_table, _stext or _etext");
		return VH_OK;
	}
	k = ctx->km->kaslr_offset;
	s.text_start = p->sym._stext.addr + k;
	s.text_end = p->sym._etext.addr + k;
	x64 = p->sym.sys_call_table.addr + k;
	if (vh_present(&p->sym.ia32_sys_call_table))
		ia32 = p->sym.ia32_sys_call_table.addr + k;
	err = scan_table(&s, "sys_call_table", x64, table_room(x64, ia32));
	if (!err && ia32)
		err = scan_table(&s, "ia32_sys_call_table", ia32, table_room(ia32, x64));
	vh_module_list_free(&s.mods);
	return err;
}

const struct vh_detector vh_detector_syscall_hook = {
    .id = "syscall-hook",
    .summary = "system call table entry pointing outside the kernel's text",
    .finish = syscall_hook_finish,
};

/* --- task-flags ---------------------------------------------------------- */

#define PF_MEMALLOC_PIN 0x10000000u /* PF_MEMALLOC_NOCMA before 5.12 */

/*
 * The PF_* bits a release's include/linux/sched.h leaves undefined, for the
 * releases the test lab checks against their own headers
 * (tests/integration/check_taskflags.py). Stable updates change them too
 * (6.12.y gained PF_KCOMPACTD): a row is the newest update the lab ran.
 */
static const struct pf_holes {
	int major, minor;
	uint32_t undefined;
} pf_holes[] = {
    {5, 10, 0x00000008u | 0x00004000u | 0x01000000u | 0x02000000u | 0x20000000u},
    {6, 1, 0x00004000u | 0x00010000u | 0x01000000u | 0x02000000u | 0x20000000u | 0x40000000u},
    {6, 12, 0x01000000u | 0x02000000u | 0x40000000u},
    {7, 2, 0x00800000u | 0x01000000u | 0x02000000u | 0x40000000u},
};

#define NROWS (sizeof(pf_holes) / sizeof(pf_holes[0]))

static int release_cmp(const struct pf_holes *h, int major, int minor)
{
	return h->major != major ? h->major - major : h->minor - minor;
}

/*
 * The bits @release ("6.1.0-26-amd64") leaves undefined: its own row's
 * (*exact), else the bits undefined in both rows around it (a bit added and
 * removed between two rows, as PF_MEMALLOC_NOWARN in 6.9-6.10, may still be
 * reported: such findings are low). 0 for a release older than the table.
 */
static uint32_t holes_for(const char *release, bool *exact)
{
	int major, minor;

	*exact = false;
	if (!release || sscanf(release, "%d.%d", &major, &minor) != 2)
		return 0;
	for (size_t i = 0; i < NROWS; i++) {
		int c = release_cmp(&pf_holes[i], major, minor);

		if (c == 0) {
			*exact = true;
			return pf_holes[i].undefined;
		}
		if (c > 0)
			return i ? pf_holes[i - 1].undefined & pf_holes[i].undefined : 0;
	}
	return pf_holes[NROWS - 1].undefined;
}

static int check_flags(struct vh_detect_ctx *ctx, const struct vh_task *t, uint32_t holes,
		       bool exact)
{
	uint32_t odd = t->flags & holes;

	if (odd)
		return vh_detect_emit_task(
		    ctx, "task-flags", t, exact ? VH_SEV_HIGH : VH_SEV_LOW,
		    "task flags 0x%08" PRIx32 " hold 0x%08" PRIx32
		    ", bits Linux %s does not define%s (a rootkit's mark)",
		    t->flags, odd, ctx->prof->osrelease,
		    exact ? "" : " as far as the table of releases around it tells");
	/* set only inside a long-term get_user_pages(), which runs or waits in D */
	if ((t->flags & PF_MEMALLOC_PIN) && !t->kthread && t->state != 'R' && t->state != 'D')
		return vh_detect_emit_task(
		    ctx, "task-flags", t, VH_SEV_MEDIUM,
		    "task flags 0x%08" PRIx32 " hold PF_MEMALLOC_PIN (0x%08x) in state "
		    "%c, outside the only call that sets it: the bit Diamorphine-style "
		    "rootkits mark hidden processes with",
		    t->flags, PF_MEMALLOC_PIN, t->state);
	return VH_OK;
}

static int task_flags_finish(void *st, struct vh_detect_ctx *ctx)
{
	uint32_t holes;
	bool exact;

	(void)st;
	if (!ctx->tasks || !ctx->prof)
		return VH_OK;
	holes = holes_for(ctx->prof->osrelease, &exact);
	if (!holes)
		vh_detect_warn_run(
		    ctx, "task-flags",
		    "release \"%s\" unknown or older than the table of defined flag bits: "
		    "only the PF_MEMALLOC_PIN check runs",
		    ctx->prof->osrelease);
	for (size_t i = 0; i < ctx->tasks->ntasks; i++) {
		const struct vh_task *t = &ctx->tasks->tasks[i];
		int err;

		if (t->pid == 0 || t->exit_state)
			continue; /* the idle tasks; exiting tasks hold flags of their exit */
		err = check_flags(ctx, t, holes, exact);
		if (err)
			return err;
	}
	return VH_OK;
}

const struct vh_detector vh_detector_task_flags = {
    .id = "task-flags",
    .summary = "task flags no release defines, or a scoped flag held outside its scope",
    .finish = task_flags_finish,
};
