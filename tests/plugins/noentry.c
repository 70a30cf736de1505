/* SPDX-License-Identifier: MIT */
/* A shared object that is no vmahunt plugin: it exports no vmahunt_plugin symbol. */
#include <vmahunt/plugin.h>

VH_PLUGIN_EXPORT int not_a_plugin(void)
{
	return 42;
}
