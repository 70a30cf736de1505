/* SPDX-License-Identifier: MIT */
/* The HTML report's inline style sheet, script and map legend (html_assets.c). */
#ifndef VH_REPORT_HTML_ASSETS_H
#define VH_REPORT_HTML_ASSETS_H

extern const char vh_html_css[];
extern const char vh_html_js[];
extern const char vh_html_legend[];

#endif
