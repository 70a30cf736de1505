/* SPDX-License-Identifier: MIT */
/* The session's one address-space reader: physical, kernel virtual, a process's virtual. */
#include "session/session_internal.h"

#include "kernel/kmem.h"
#include "util/error.h"

static int user_read(struct vh_session *s, const struct vh_task *t, uint64_t addr, void *buf,
		     size_t len)
{
	if (!t)
		return vh_set_error(VH_ERR_INVAL, "reading user memory needs a process");
	/* a core's segments are its process's memory, keyed by virtual address */
	if (s->core)
		return vh_dump_read_phys(s->d, addr, buf, len);
	if (!t->mm)
		return vh_set_error(VH_ERR_INVAL, "pid %d has no user memory (no mm)", (int)t->pid);
	vh_session_locate(s);
	if (!s->prof)
		return vh_set_error(VH_ERR_INVAL,
				    "%s: no kernel profile to find pid %d's page tables",
				    vh_dump_path(s->d), (int)t->pid);
	if (s->ur_mm != t->mm) {
		uint64_t root;
		int err = vh_mm_pgd_root(&s->kr, s->prof, t->mm, &root);

		if (err)
			return err;
		vh_vread_user(&s->ur, s->d, &s->km, root);
		s->ur_mm = t->mm;
	}
	return vh_vread(&s->ur, addr, buf, len);
}

int vh_session_read(struct vh_session *s, enum vh_space space, const struct vh_task *t,
		    uint64_t addr, void *buf, size_t len)
{
	switch (space) {
	case VH_SPACE_USER:
		return user_read(s, t, addr, buf, len);
	case VH_SPACE_PHYS:
	case VH_SPACE_KERNEL:
		break;
	default:
		return vh_set_error(VH_ERR_INVAL, "unknown address space %d", (int)space);
	}
	if (s->core)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "%s: a process core has no physical or kernel memory",
				    vh_dump_path(s->d));
	if (space == VH_SPACE_PHYS)
		return vh_dump_read_phys(s->d, addr, buf, len);
	vh_session_locate(s);
	if (s->kmap_err)
		return vh_set_error(VH_ERR_INVAL, "%s: the kernel is not located",
				    vh_dump_path(s->d));
	return vh_vread(&s->kr, addr, buf, len);
}

int vh_session_pages(struct vh_session *s, const struct vh_task *t, uint64_t start, uint64_t end,
		     int (*fn)(void *arg, uint64_t start, uint64_t len), void *arg)
{
	uint64_t root;
	int err;

	if (!t)
		return vh_set_error(VH_ERR_INVAL, "walking pages needs a process");
	if (s->core)
		return vh_page_runs(s->d, NULL, 0, start & ~0xfffull, end, fn, arg);
	if (!t->mm)
		return vh_set_error(VH_ERR_INVAL, "pid %d has no user memory (no mm)", (int)t->pid);
	vh_session_locate(s);
	if (!s->prof || s->kmap_err)
		return vh_set_error(VH_ERR_INVAL,
				    "%s: no kernel profile to find pid %d's page tables",
				    vh_dump_path(s->d), (int)t->pid);
	err = vh_mm_pgd_root(&s->kr, s->prof, t->mm, &root);
	if (err)
		return err;
	return vh_page_runs(s->d, &s->km.mmu, root, start & ~0xfffull, end, fn, arg);
}
