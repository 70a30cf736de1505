/* SPDX-License-Identifier: MIT */
#include "helpers/detecttest.h"

#include <stdio.h>

int vh_test_collect(const struct vh_finding *f, void *arg)
{
	struct vh_test_sink *s = arg;

	if (s->n < VH_TEST_MAX_FINDINGS)
		s->f[s->n++] = *f;
	return VH_OK;
}

void vh_test_collect_warning(const char *msg, void *arg)
{
	struct vh_test_sink *s = arg;

	if (s->nwarn < VH_TEST_MAX_WARNINGS)
		snprintf(s->warn[s->nwarn++], sizeof(s->warn[0]), "%s", msg);
}
