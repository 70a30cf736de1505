/* SPDX-License-Identifier: MIT */
/*
 * A plugin built against a newer header of ABI 1, whose structs have grown a
 * field at their end (as the stability promise allows): the host must step
 * through its detector array by the plugin's struct_size, not its own, and
 * ignore the fields it does not know.
 */
#include <vmahunt/plugin.h>

#include <stdint.h>

struct newer_detector {
	struct vh_plugin_detector d;
	uint64_t added_later; /* a field this vmahunt does not know */
};

struct newer_plugin {
	struct vh_plugin p;
	uint64_t added_later;
};

static int one(struct vh_plugin_ctx *ctx, const char *id)
{
	return vh_plugin_finding_emit(
	    vh_plugin_finding_new(ctx, id, VH_PLUGIN_SEV_INFO, 0, 0, "future: ran"));
}

static int first_process(void *state, struct vh_plugin_ctx *ctx)
{
	(void)state;
	return one(ctx, "future-one");
}

static int second_process(void *state, struct vh_plugin_ctx *ctx)
{
	(void)state;
	return one(ctx, "future-two");
}

static const struct newer_detector detectors[] = {
    {{.struct_size = sizeof(struct newer_detector),
      .id = "future-one",
      .summary = "first",
      .process = first_process},
     0x1111111111111111ull},
    {{.struct_size = sizeof(struct newer_detector),
      .id = "future-two",
      .summary = "second",
      .process = second_process},
     0x2222222222222222ull},
};

static const struct newer_plugin plugin = {
    {
	.abi_version = VH_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct newer_plugin),
	.name = "future",
	.version = "1.0",
	.summary = "structs larger than this vmahunt's",
	.detectors = &detectors[0].d,
	.ndetectors = 2,
    },
    0x3333333333333333ull,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin.p;
}
