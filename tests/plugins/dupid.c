/* SPDX-License-Identifier: MIT */
/*
 * A plugin whose detector id is taken: DUP_NAME is the plugin's name, DUP_ID
 * its detector's id (a built-in one, or one another build of this file has
 * too); with DUP_SELF it has two detectors of that id.
 */
#include <vmahunt/plugin.h>

static const struct vh_plugin_detector detectors[] = {
    {.struct_size = sizeof(struct vh_plugin_detector), .id = DUP_ID, .summary = "a taken id"},
#ifdef DUP_SELF
    {.struct_size = sizeof(struct vh_plugin_detector), .id = DUP_ID, .summary = "the same id"},
#endif
};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = DUP_NAME,
    .version = "1.0",
    .summary = "a detector id that is taken",
    .detectors = detectors,
    .ndetectors = sizeof(detectors) / sizeof(detectors[0]),
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
