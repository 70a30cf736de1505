/* SPDX-License-Identifier: MIT */
/* What files.c shares with its tests. */
#ifndef VH_EVIDENCE_FILES_INTERNAL_H
#define VH_EVIDENCE_FILES_INTERNAL_H

#include <stddef.h>

/*
 * vh_ev_file_basename() - the part of an output file name taken from a
 * kernel path: its last component (the whole path when it ends in '/'),
 * " (deleted)" left out, made safe by vh_evidence_safe_name() (at most
 * @size - 1 bytes, never empty, never "." or ".." or hidden).
 *
 * Return: the length of @out.
 */
size_t vh_ev_file_basename(const char *path, char *out, size_t size);

#endif
