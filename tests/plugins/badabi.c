/* SPDX-License-Identifier: MIT */
/*
 * A plugin built for another ABI version (BADABI_VERSION: 0, or 2 as a future
 * vmahunt would write): the host must refuse it by name, with both versions,
 * before calling anything of it.
 */
#include <vmahunt/plugin.h>

#include <stdlib.h>

static int badabi_init(struct vh_plugin_host *host, void **state)
{
	(void)host;
	(void)state;
	abort(); /* never called: a refused plugin does not start */
}

static const struct vh_plugin_detector detectors[] = {{
    .struct_size = sizeof(struct vh_plugin_detector),
    .id = "badabi",
    .summary = "never runs",
}};

static const struct vh_plugin plugin = {
    .abi_version = BADABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = "badabi",
    .version = "1.0",
    .summary = "built for another plugin ABI",
    .detectors = detectors,
    .ndetectors = 1,
    .init = badabi_init,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
