/* SPDX-License-Identifier: MIT */
/*
 * Descriptions the host must refuse with a clear message, one per build
 * (MALFORMED): a struct vh_plugin or vh_plugin_detector smaller than ABI 1's,
 * a name or detector id outside [a-z0-9_-], no detector, no description.
 */
#include <vmahunt/plugin.h>

#include <stddef.h>

#define SMALL_PLUGIN   1
#define SMALL_DETECTOR 2
#define BAD_NAME       3
#define BAD_ID	       4
#define NO_DETECTORS   5
#define NO_DESC	       6

static const struct vh_plugin_detector detectors[] = {{
#if MALFORMED == SMALL_DETECTOR
    /* a detector struct without finish: older than any ABI 1 plugin */
    .struct_size = offsetof(struct vh_plugin_detector, finish),
#else
    .struct_size = sizeof(struct vh_plugin_detector),
#endif
#if MALFORMED == BAD_ID
    .id = "Bad ID",
#else
    .id = "malformed",
#endif
    .summary = "never runs",
}};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
#if MALFORMED == SMALL_PLUGIN
    .struct_size = offsetof(struct vh_plugin, init),
#else
    .struct_size = sizeof(struct vh_plugin),
#endif
#if MALFORMED == BAD_NAME
    .name = "mal.formed",
#else
    .name = "malformed",
#endif
    .version = "1.0",
    .summary = "a malformed description",
    .detectors = detectors,
#if MALFORMED == NO_DETECTORS
    .ndetectors = 0,
#else
    .ndetectors = 1,
#endif
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	/* no description: the host must not dereference what it got */
	return MALFORMED == NO_DESC ? NULL : &plugin;
}
