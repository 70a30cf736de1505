/* SPDX-License-Identifier: MIT */
#include "helpers/detecttest.h"

#include <stdio.h>

int vh_test_collect(const struct vh_finding *f, void *arg)
{
	struct vh_test_sink *s = arg;

	if (s->n < VH_TEST_MAX_FINDINGS) {
		/* the detector's reason lives only as long as the emit */
		snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", f->reason);
		s->f[s->n] = *f;
		s->f[s->n].reason = s->reason[s->n];
		/* so may its comm (a finding about an object found in finish()) */
		if (f->comm) {
			snprintf(s->comm[s->n], sizeof(s->comm[0]), "%s", f->comm);
			s->f[s->n].comm = s->comm[s->n];
		}
		s->n++;
	}
	return VH_OK;
}

void vh_test_collect_warning(const char *msg, void *arg)
{
	struct vh_test_sink *s = arg;

	if (s->nwarn < VH_TEST_MAX_WARNINGS)
		snprintf(s->warn[s->nwarn++], sizeof(s->warn[0]), "%s", msg);
}
