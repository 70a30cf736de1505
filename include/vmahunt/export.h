/* SPDX-License-Identifier: MIT */
/*
 * VH_EXPORT marks what libvmahunt.so exports: every function of the public
 * API carries it, and nothing else does. The library is compiled with
 * -fvisibility=hidden, so its internal functions (shared between its source
 * files, and open to the static library's in-tree users) stay out of the
 * shared library's dynamic symbol table and cannot become an ABI by accident.
 *
 * To a program including the headers the attribute changes nothing.
 */
#ifndef VMAHUNT_EXPORT_H
#define VMAHUNT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define VH_EXPORT __attribute__((visibility("default")))
#else
#define VH_EXPORT
#endif

#endif
