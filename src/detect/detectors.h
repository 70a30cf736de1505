/* SPDX-License-Identifier: MIT */
/* Built-in detectors defined outside builtin.c, listed by vh_detectors(). */
#ifndef VH_DETECT_DETECTORS_H
#define VH_DETECT_DETECTORS_H

#include <vmahunt/detect.h>

/* pagetables.c: page tables against VMAs; kstructs.c: kernel structures against each other */
extern const struct vh_detector vh_detector_hidden_pages;
extern const struct vh_detector vh_detector_pte_perm;
extern const struct vh_detector vh_detector_code_modified;
extern const struct vh_detector vh_detector_hidden_task;
extern const struct vh_detector vh_detector_vma_tree;
extern const struct vh_detector vh_detector_writable_lib;
extern const struct vh_detector vh_detector_static_loader;
extern const struct vh_detector vh_detector_lib_twice;
extern const struct vh_detector vh_detector_exe_unmapped;
extern const struct vh_detector vh_detector_pte_rmap;

#endif
