/* SPDX-License-Identifier: MIT */
/* What the detectors' unit tests share: a sink that keeps the findings and warnings of a run. */
#ifndef VH_TEST_DETECTTEST_H
#define VH_TEST_DETECTTEST_H

#include <stddef.h>

#include <vmahunt/detect.h>

#define VH_TEST_MAX_FINDINGS 32
#define VH_TEST_MAX_WARNINGS 4

/* The findings (the first VH_TEST_MAX_FINDINGS) and warnings of a run; zero it first. */
struct vh_test_sink {
	struct vh_finding f[VH_TEST_MAX_FINDINGS]; /* f[i].reason points at reason[i] */
	char reason[VH_TEST_MAX_FINDINGS][256];
	char comm[VH_TEST_MAX_FINDINGS][65]; /* f[i].comm points here when it was set */
	size_t n;
	char warn[VH_TEST_MAX_WARNINGS][256];
	size_t nwarn;
};

/* A vh_finding_fn: keeps @f in the struct vh_test_sink @arg. */
int vh_test_collect(const struct vh_finding *f, void *arg);
/* A vh_warning_fn: keeps @msg in the struct vh_test_sink @arg. */
void vh_test_collect_warning(const char *msg, void *arg);

#endif
