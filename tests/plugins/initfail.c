/* SPDX-License-Identifier: MIT */
/*
 * A plugin whose init() fails the way a broken rules file makes it fail: a
 * message naming the file and line, and an error code (initfail.code=N,
 * VH_ERR_FORMAT by default). The host must print the message, stop before
 * opening the dump, and still not call fini() (init() did not succeed).
 */
#include <vmahunt/plugin.h>

#include <stdio.h>
#include <stdlib.h>

static int initfail_init(struct vh_plugin_host *host, void **state)
{
	const char *rules = vh_plugin_host_option(host, "rules", 0);
	const char *code = vh_plugin_host_option(host, "code", 0);

	*state = NULL;
	vh_plugin_host_error(host, "%s line 3: syntax error, unexpected '}'",
			     rules ? rules : "rules.txt");
	return code ? (int)strtol(code, NULL, 0) : VH_ERR_FORMAT;
}

static int initfail_vma(void *state, struct vh_plugin_ctx *ctx, const struct vh_plugin_vma *v)
{
	(void)state;
	(void)ctx;
	(void)v;
	abort(); /* nothing runs after a failed init() */
}

static void initfail_fini(void *state)
{
	(void)state;
	/* fini() belongs to an init() that succeeded: say so loudly if called */
	fputs("initfail: fini() called after a failed init()\n", stderr);
	abort();
}

static const char *const options[] = {"rules", "code", NULL};

static const struct vh_plugin_detector detectors[] = {{
    .struct_size = sizeof(struct vh_plugin_detector),
    .id = "initfail",
    .summary = "never runs",
    .vma = initfail_vma,
}};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = "initfail",
    .version = "1.0",
    .summary = "init() fails",
    .options = options,
    .detectors = detectors,
    .ndetectors = 1,
    .init = initfail_init,
    .fini = initfail_fini,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
