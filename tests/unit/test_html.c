/* SPDX-License-Identifier: MIT */
/* The HTML renderer: escaping, sizes, VMA kinds, and a whole page of the core sample. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "report/html.h"

static char *escaped(const char *s, bool nl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	vh_html_text(f, s, nl);
	fclose(f);
	return buf;
}

static void text_escapes(void **state)
{
	char *b = escaped("<script>alert(1)</script>\"><img src=x onerror='a'>&", false);

	(void)state;
	assert_string_equal(b, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
			       "onerror=&#39;a&#39;&gt;&amp;");
	free(b);
	b = escaped("a\nb\tc\x7f\x1b", false);
	assert_string_equal(b, "a?b?c??");
	free(b);
	b = escaped("mov eax, 39\nsyscall", true);
	assert_string_equal(b, "mov eax, 39\nsyscall");
	free(b);
	b = escaped(NULL, false);
	assert_string_equal(b, "");
	free(b);
}

static void sizes_and_kinds(void **state)
{
	static const struct {
		uint64_t b;
		const char *want;
	} sz[] = {{0, "0B"}, {4096, "4.0K"}, {12288, "12K"}, {1ull << 30, "1.0G"}};
	static const struct {
		const char *path, *kind;
	} k[] = {{"", "anon"},	       {"[anon:jit]", "anon"}, {"[heap]", "heap"},
		 {"[stack]", "stack"}, {"[vdso]", "spec"},     {"/lib/libc.so.6", "file"}};

	(void)state;
	for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		vh_html_size(f, sz[i].b);
		fclose(f);
		assert_string_equal(buf, sz[i].want);
		free(buf);
	}
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct html_vma v = {.path = (char *)k[i].path};

		assert_string_equal(vh_html_vma_kind(&v), k[i].kind);
	}
}

/* A finding whose every string is hostile, as a plugin could make it. */
static void hostile_finding(struct vh_report *r)
{
	static const struct vh_finding_note note = {"<u>rule", "</script><script>x()</script>"};
	struct vh_finding f = {.detector = "<i>det",
			       .kind = "\"k",
			       .severity = VH_SEV_HIGH,
			       .pid = 424242,
			       .comm = "<script>c</script>",
			       .start = 0x1000,
			       .end = 0x2000,
			       .reason = "\"><img src=x onerror=alert(1)>",
			       .path = "</script>",
			       .nbytes = 1,
			       .notes = &note,
			       .nnotes = 1};

	strcpy(f.disasm, "<svg onload=alert(1)>");
	vh_report_finding(r, &f);
}

static void whole_page(void **state)
{
	struct vh_session *s;
	struct vh_report *r;
	const struct vh_vma_list *l;
	const struct vh_task_list *tl;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(vh_session_open(VMAHUNT_SAMPLES "/core.inject.zst", NULL, &s), VH_OK);
	assert_int_equal(vh_session_load(s, VH_LOAD_VMAS), VH_OK);
	assert_int_equal(vh_report_open(VH_REPORT_HTML, VH_REPORT_FULL, s, f, stderr, &r), VH_OK);
	vh_report_dump(r);
	tl = vh_session_tasks(s);
	vh_report_task(r, &tl->tasks[0]);
	assert_int_equal(vh_session_vmas(s, &tl->tasks[0], &l), VH_OK);
	vh_report_process(r, &tl->tasks[0], l);
	vh_session_vmas_put(s, l);
	hostile_finding(r);
	vh_report_warning(r, "<script>w</script>");
	assert_int_equal(vh_report_close(r), VH_OK);
	fclose(f);
	assert_true(!strncmp(buf, "<!DOCTYPE html>", 15));
	assert_non_null(strstr(buf, "default-src 'none'"));
	assert_non_null(strstr(buf, "id=\"p-24826\""));
	assert_non_null(strstr(buf, "id=\"p-24826-v-0\""));
	assert_non_null(strstr(buf, "id=\"f-0\""));
	assert_non_null(strstr(buf, "&lt;script&gt;c&lt;/script&gt;"));
	assert_null(strstr(buf, "<img"));
	assert_null(strstr(buf, "<svg onload"));
	assert_null(strstr(buf, "<i>"));
	assert_null(strstr(buf, "<u>"));
	assert_null(strstr(buf, "<script>c"));
	assert_null(strstr(buf, "<script>w"));
	assert_null(strstr(buf, "<script>x"));
	assert_int_equal(strcmp(buf + len - 8, "</html>\n"), 0);
	free(buf);
	vh_session_close(s);
}

/* A ppid chain 20 000 deep and a ppid cycle: every task drawn once, nesting bounded. */
static void deep_tree(void **state)
{
	enum { N = 20000 };
	struct vh_task *t = calloc(N + 2, sizeof(*t));
	struct vh_session *s;
	struct vh_report *r;
	char *buf = NULL, id[32];
	size_t len = 0, depth = 0, max_depth = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(t);
	assert_int_equal(vh_session_open(VMAHUNT_SAMPLES "/core.inject.zst", NULL, &s), VH_OK);
	assert_int_equal(vh_report_open(VH_REPORT_HTML, VH_REPORT_FULL, s, f, stderr, &r), VH_OK);
	for (int i = 0; i < N + 2; i++) {
		t[i].pid = t[i].tgid = i;
		t[i].ppid = i ? i - 1 : 0;
		t[i].leader = true;
		snprintf(t[i].comm, sizeof(t[i].comm), "<t%d>", i);
	}
	t[N].ppid = N + 1; /* N and N + 1: each the other's parent */
	t[N + 1].ppid = N;
	for (int i = 0; i < N + 2; i++)
		vh_report_task(r, &t[i]);
	assert_int_equal(vh_report_close(r), VH_OK);
	fclose(f);
	for (int i = 0; i < N + 2; i += 997) {
		snprintf(id, sizeof(id), "id=\"t-%d\"", i);
		assert_non_null(strstr(buf, id));
	}
	assert_non_null(strstr(buf, "id=\"t-20001\""));
	for (const char *p = strstr(buf, "<ul class=\"tree\">"); p && *p; p++) {
		if (!strncmp(p, "<ul", 3) && ++depth > max_depth)
			max_depth = depth;
		if (!strncmp(p, "</ul>", 5))
			depth--;
	}
	assert_true(max_depth <= 64);
	assert_null(strstr(buf, "<t1"));
	free(buf);
	free(t);
	vh_session_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(text_escapes),
	    cmocka_unit_test(sizes_and_kinds),
	    cmocka_unit_test(whole_page),
	    cmocka_unit_test(deep_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
