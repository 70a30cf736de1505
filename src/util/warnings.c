/* SPDX-License-Identifier: MIT */
#include "util/warnings.h"

#include <stdio.h>
#include <stdlib.h>

#include <vmahunt/error.h>

int vh_warnings_vadd(char ***list, size_t *n, const char *fmt, va_list ap)
{
	char **grown;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		return VH_ERR_NOMEM;
	grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(msg);
		return VH_ERR_NOMEM;
	}
	*list = grown;
	grown[(*n)++] = msg;
	return VH_OK;
}

void vh_warnings_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
