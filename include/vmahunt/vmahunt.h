/* SPDX-License-Identifier: MIT */
/*
 * libvmahunt: recover process memory maps from Linux kernel crash dumps and
 * process core files, and flag hidden or anomalous memory.
 *
 * Include this header to get the whole public API.
 */
#ifndef VMAHUNT_VMAHUNT_H
#define VMAHUNT_VMAHUNT_H

#include <vmahunt/error.h>
#include <vmahunt/dump.h>
#include <vmahunt/arch.h>
#include <vmahunt/symbols.h>
#include <vmahunt/kernel.h>
#include <vmahunt/vma.h>
#include <vmahunt/detect.h>
#include <vmahunt/core.h>
#include <vmahunt/session.h>
#include <vmahunt/report.h>

#define VMAHUNT_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * vh_version() - the library's version string, e.g. "0.1.0".
 *
 * Return: a static string.
 */
const char *vh_version(void);

#ifdef __cplusplus
}
#endif
#endif
