/* SPDX-License-Identifier: MIT */
/*
 * Kernel behaviour told by the profile's layout, not by the release string:
 * both sides of each tell, on synthetic profiles whose release string says
 * the opposite of the layout (as a distribution backport would).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/error.h>
#include <vmahunt/symbols.h>

#include "kernel/features.h"

static void set_member(struct vh_member *m, uint32_t offset, uint32_t size)
{
	memset(m, 0, sizeof(*m));
	m->offset = offset;
	m->size = size;
	m->source = VH_SRC_BTF;
}

static struct vh_profile *profile(const char *release)
{
	struct vh_profile *p = NULL;

	assert_int_equal(vh_profile_new(&p), VH_OK);
	strcpy(p->osrelease, release);
	return p;
}

/* 5.17 - 6.1: union { struct { rb_node rb; unsigned long last; } shared; anon_name; } */
static void test_anon_name_in_union_is_not_read_for_files(void **state)
{
	struct vh_profile *p = profile("6.12.0-backport");

	(void)state;
	set_member(&p->vm_area_struct.shared, 40, 32);
	set_member(&p->vm_area_struct.anon_name, 40, 8);
	assert_false(vh_vma_anon_name_any(p));
	/* anon_name anywhere inside the union's bytes is still the union */
	set_member(&p->vm_area_struct.anon_name, 64, 8);
	assert_false(vh_vma_anon_name_any(p));
	vh_profile_free(p);
}

/* 6.2+: anon_name a member of its own */
static void test_anon_name_of_its_own_is_read_for_files(void **state)
{
	struct vh_profile *p = profile("6.1.0-backport");

	(void)state;
	set_member(&p->vm_area_struct.shared, 40, 32);
	set_member(&p->vm_area_struct.anon_name, 136, 8);
	assert_true(vh_vma_anon_name_any(p));
	/* just before the node, touching it, is not inside it */
	set_member(&p->vm_area_struct.anon_name, 32, 8);
	assert_true(vh_vma_anon_name_any(p));
	vh_profile_free(p);
}

/* No anon_name (before 5.17), or a layout without sizes: never read as a name. */
static void test_anon_name_unknown_is_not_read(void **state)
{
	struct vh_profile *p = profile("6.12.0");

	(void)state;
	set_member(&p->vm_area_struct.shared, 88, 32);
	assert_false(vh_vma_anon_name_any(p));
	set_member(&p->vm_area_struct.anon_name, 136, 8);
	p->vm_area_struct.shared.source = VH_SRC_NONE;
	p->vm_area_struct.shared.offset = VH_ABSENT;
	assert_false(vh_vma_anon_name_any(p));
	set_member(&p->vm_area_struct.shared, 40, 0); /* an offset with no size */
	assert_false(vh_vma_anon_name_any(p));
	vh_profile_free(p);
}

static void test_heap_strict_with_sched_entity_deadline(void **state)
{
	struct vh_profile *p = profile("6.1.0-backport");

	(void)state;
	set_member(&p->sched_entity.deadline, 48, 8);
	assert_true(vh_vma_heap_strict(p));
	vh_profile_free(p);
}

static void test_heap_loose_without_sched_entity_deadline(void **state)
{
	struct vh_profile *p = profile("6.12.0-backport");

	(void)state;
	p->sched_entity.type.size = 256;
	p->sched_entity.type.source = VH_SRC_DWARF;
	assert_false(vh_vma_heap_strict(p));
	vh_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_anon_name_in_union_is_not_read_for_files),
	    cmocka_unit_test(test_anon_name_of_its_own_is_read_for_files),
	    cmocka_unit_test(test_anon_name_unknown_is_not_read),
	    cmocka_unit_test(test_heap_strict_with_sched_entity_deadline),
	    cmocka_unit_test(test_heap_loose_without_sched_entity_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
