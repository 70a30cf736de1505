/* SPDX-License-Identifier: MIT */
/*
 * The example plugin: the smallest useful detector, and the template to copy.
 *
 * exec-from-tmp flags code mapped from a world-writable folder (/tmp,
 * /var/tmp, /dev/shm): where droppers put what they run, and where no
 * package manager installs anything. It uses nothing but the plugin ABI
 * (<vmahunt/plugin.h>), builds in the tree or outside it against an installed
 * vmahunt (cc -shared -fPIC $(pkg-config --cflags vmahunt) -o example.so
 * example.c), and takes one option: example.dirs=DIR:DIR to replace the
 * folders looked at.
 */
/* strdup() is POSIX: without this, cc -std=c11 does not declare it */
#define _POSIX_C_SOURCE 200809L

#include <vmahunt/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VM_EXEC 0x4u

/* The folders whose files are suspect when mapped executable. */
struct state {
	char *dirs; /* colon-separated */
};

static int example_init(struct vh_plugin_host *host, void **state)
{
	const char *dirs = vh_plugin_host_option(host, "dirs", 0);
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return VH_ERR_NOMEM;
	st->dirs = strdup(dirs ? dirs : "/tmp:/var/tmp:/dev/shm");
	if (!st->dirs || !st->dirs[0]) {
		vh_plugin_host_error(host, "example.dirs: a list of folders is expected");
		free(st->dirs);
		free(st);
		return VH_ERR_INVAL;
	}
	*state = st;
	return VH_OK;
}

static void example_fini(void *state)
{
	struct state *st = state;

	if (st)
		free(st->dirs);
	free(st);
}

/* Whether @path lies in one of @dirs (a colon-separated list). */
static const char *in_dirs(const char *path, const char *dirs, char *dir, size_t len)
{
	for (const char *d = dirs; *d;) {
		size_t n = strcspn(d, ":");

		if (n && n < len && !strncmp(path, d, n) && path[n] == '/') {
			memcpy(dir, d, n);
			dir[n] = '\0';
			return dir;
		}
		d += n + (d[n] == ':');
	}
	return NULL;
}

static int example_vma(void *state, struct vh_plugin_ctx *ctx, const struct vh_plugin_vma *v)
{
	struct state *st = state;
	struct vh_plugin_finding *f;
	char dir[256], reason[512];

	if (!(v->vm_flags & VM_EXEC) || !in_dirs(v->path, st->dirs, dir, sizeof(dir)))
		return VH_OK;
	snprintf(reason, sizeof(reason), "executable mapping of a file in %s", dir);
	f = vh_plugin_finding_new(ctx, "exec-from-tmp", VH_PLUGIN_SEV_MEDIUM, v->start, v->end,
				  reason);
	vh_plugin_finding_note(f, "folder", dir);
	vh_plugin_finding_evidence(f, v->start);
	return vh_plugin_finding_emit(f);
}

static const char *const options[] = {"dirs", NULL};

static const struct vh_plugin_detector detectors[] = {{
    .struct_size = sizeof(struct vh_plugin_detector),
    .id = "exec-from-tmp",
    .summary = "code mapped from a world-writable folder (/tmp, /var/tmp, /dev/shm)",
    .needs = 0, /* VMAs only: runs on process cores and -d 31 dumps too */
    .vma = example_vma,
}};

static const struct vh_plugin plugin = {
    .abi_version = VH_PLUGIN_ABI_VERSION,
    .struct_size = sizeof(struct vh_plugin),
    .name = "example",
    .version = "1.0",
    .summary = "the template plugin: code mapped from world-writable folders",
    .options = options,
    .detectors = detectors,
    .ndetectors = sizeof(detectors) / sizeof(detectors[0]),
    .init = example_init,
    .fini = example_fini,
};

VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void)
{
	return &plugin;
}
