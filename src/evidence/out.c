/* SPDX-License-Identifier: MIT */
/*
 * Output folders and files for evidence: created safely, hashed as written,
 * described by records (JSON lines and manifest.json).
 */
#include "evidence/evidence_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/grow.h"

struct vh_evidence_dir {
	char *path;
	int fd; /* the folder, opened O_DIRECTORY */
	char *command, *source;
	struct vh_evidence_options opts;
	/* the record being built */
	char *rec_buf;
	size_t rec_len;
	FILE *rec;
	struct vh_json rec_json;
	/* every record so far, joined with ",\n" (the manifest's entries) */
	char *entries;
	size_t entries_len, entries_cap;
	size_t nentries;
	/* the summary object */
	char *sum_buf;
	size_t sum_len;
	FILE *sum;
	struct vh_json sum_json;
};

struct vh_ev_file {
	int fd;
	char *name;
	bool path_given; /* created by vh_ev_file_create_path(): remove by path */
	int dirfd;	 /* the parent folder of name's last component, for removal */
	char *leaf;
	uint64_t size;
	EVP_MD_CTX *md;
};

size_t vh_evidence_safe_name(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (!out || size < 2)
		return 0;
	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p && n + 1 < size;
	     p++) {
		unsigned char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
		out[n] = keep && !(n == 0 && c == '.') ? (char)c : '_';
		n++;
	}
	if (n == 0)
		out[n++] = '_';
	out[n] = '\0';
	return n;
}

/* mkdir -p for the user's own folder path (not a dump-controlled name). */
static int make_dirs(const char *path)
{
	char *p = strdup(path);

	if (!p)
		return VH_ERR_NOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			return vh_set_error(VH_ERR_IO, "%s: cannot create folder: %s", path,
					    strerror(e));
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return vh_set_error(VH_ERR_IO, "%s: cannot create folder: %s", path,
				    strerror(errno));
	return VH_OK;
}

int vh_evidence_dir_open(const char *path, const char *command, const char *source,
			 const struct vh_evidence_options *opts, struct vh_evidence_dir **out)
{
	struct vh_evidence_dir *d;
	int err;

	*out = NULL;
	if (!path || !*path)
		return vh_set_error(VH_ERR_INVAL, "no output folder given");
	err = make_dirs(path);
	if (err)
		return err;
	d = calloc(1, sizeof(*d));
	if (!d)
		return VH_ERR_NOMEM;
	if (opts)
		d->opts = *opts;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->path = strdup(path);
	d->command = strdup(command ? command : "");
	d->source = strdup(source ? source : "");
	if (d->fd < 0 || !d->path || !d->command || !d->source) {
		err = d->fd < 0 ? vh_set_error(VH_ERR_IO, "%s: cannot open folder: %s", path,
					       strerror(errno))
				: VH_ERR_NOMEM;
		goto fail;
	}
	if (!d->opts.force && faccessat(d->fd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		err = vh_set_error(VH_ERR_EXISTS,
				   "%s/manifest.json exists: the folder holds earlier evidence "
				   "(choose another folder, or force to overwrite)",
				   path);
		goto fail;
	}
	d->sum = open_memstream(&d->sum_buf, &d->sum_len);
	if (!d->sum) {
		err = VH_ERR_NOMEM;
		goto fail;
	}
	vh_json_init(&d->sum_json, d->sum);
	*out = d;
	return VH_OK;
fail:
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	free(d->command);
	free(d->source);
	free(d);
	return err;
}

static void write_manifest_head(struct vh_json *j, const struct vh_evidence_dir *d, bool complete)
{
	vh_json_u64(j, "schema", 1);
	vh_json_str(j, "vmahunt", vh_version());
	vh_json_str(j, "command", d->command);
	vh_json_str(j, "source", d->source);
	vh_json_bool(j, "complete", complete);
	vh_json_u64(j, "files", d->nentries);
}

int vh_evidence_dir_close(struct vh_evidence_dir *d, bool complete)
{
	struct vh_json j;
	FILE *f = NULL;
	int fd, err = VH_OK;

	if (!d)
		return VH_OK;
	if (d->rec)
		fclose(d->rec);
	free(d->rec_buf);
	if (d->sum && fclose(d->sum) != 0)
		err = VH_ERR_NOMEM;
	d->sum = NULL;
	/* written beside, then renamed: a manifest is never half there */
	fd = openat(d->fd, "manifest.json.tmp",
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		f = fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		err = vh_set_error(VH_ERR_IO, "%s/manifest.json: cannot create: %s", d->path,
				   strerror(errno));
		goto out;
	}
	vh_json_init(&j, f);
	vh_json_begin_object(&j, NULL);
	write_manifest_head(&j, d, complete);
	fputs(",\"summary\":", f);
	fputs(d->sum_buf && *d->sum_buf ? "" : "{}", f);
	if (d->sum_buf && *d->sum_buf)
		fprintf(f, "{%s}", d->sum_buf);
	fputs(",\"entries\":[\n", f);
	if (d->entries)
		fwrite(d->entries, 1, d->entries_len, f);
	fputs("]}\n", f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)) {
		fclose(f);
		unlinkat(d->fd, "manifest.json.tmp", 0);
		err = vh_set_error(VH_ERR_IO, "%s/manifest.json: write failed: %s", d->path,
				   strerror(errno));
		goto out;
	}
	fclose(f);
	if (renameat(d->fd, "manifest.json.tmp", d->fd, "manifest.json") < 0)
		err = vh_set_error(VH_ERR_IO, "%s/manifest.json: %s", d->path, strerror(errno));
out:
	close(d->fd);
	free(d->sum_buf);
	free(d->entries);
	free(d->path);
	free(d->command);
	free(d->source);
	free(d);
	return err;
}

struct vh_json *vh_ev_summary(struct vh_evidence_dir *d)
{
	return &d->sum_json;
}

void vh_ev_progress(struct vh_evidence_dir *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->opts.progress)
		return;
	fputs("vmahunt: ", d->opts.progress);
	va_start(ap, fmt);
	vfprintf(d->opts.progress, fmt, ap);
	va_end(ap);
	fputc('\n', d->opts.progress);
	fflush(d->opts.progress);
}

struct vh_json *vh_ev_record_begin(struct vh_evidence_dir *d)
{
	if (d->rec)
		fclose(d->rec);
	free(d->rec_buf);
	d->rec_buf = NULL;
	d->rec = open_memstream(&d->rec_buf, &d->rec_len);
	if (!d->rec)
		return NULL;
	vh_json_init(&d->rec_json, d->rec);
	vh_json_begin_object(&d->rec_json, NULL);
	return &d->rec_json;
}

static int append_entry(struct vh_evidence_dir *d, const char *rec, size_t len)
{
	size_t need = d->entries_len + len + 3;

	if (need > d->entries_cap) {
		size_t cap = d->entries_cap ? d->entries_cap : 4096;
		char *n;

		while (cap < need)
			cap *= 2;
		n = realloc(d->entries, cap);
		if (!n)
			return VH_ERR_NOMEM;
		d->entries = n;
		d->entries_cap = cap;
	}
	if (d->nentries++)
		d->entries[d->entries_len++] = ',', d->entries[d->entries_len++] = '\n';
	memcpy(d->entries + d->entries_len, rec, len);
	d->entries_len += len;
	return VH_OK;
}

int vh_ev_record_end(struct vh_evidence_dir *d)
{
	int err;

	if (!d->rec)
		return VH_ERR_NOMEM;
	vh_json_end_object(&d->rec_json);
	if (fclose(d->rec) != 0) {
		d->rec = NULL;
		return VH_ERR_NOMEM;
	}
	d->rec = NULL;
	err = append_entry(d, d->rec_buf, d->rec_len);
	if (!err && d->opts.records) {
		fwrite(d->rec_buf, 1, d->rec_len, d->opts.records);
		fputc('\n', d->opts.records);
		if (ferror(d->opts.records))
			err = vh_set_error(VH_ERR_IO, "records: write failed");
	}
	free(d->rec_buf);
	d->rec_buf = NULL;
	return err;
}

static int file_new(int fd, const char *name, struct vh_ev_file **out)
{
	struct vh_ev_file *f = calloc(1, sizeof(*f));

	if (!f || !(f->name = strdup(name)) || !(f->md = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1) {
		if (f) {
			EVP_MD_CTX_free(f->md);
			free(f->name);
		}
		free(f);
		close(fd);
		return VH_ERR_NOMEM;
	}
	f->fd = fd;
	f->dirfd = -1;
	*out = f;
	return VH_OK;
}

/* A component of a relative name that may be created: not "", "." or "..". */
static bool component_ok(const char *c)
{
	return *c && strcmp(c, ".") != 0 && strcmp(c, "..") != 0;
}

int vh_ev_file_create(struct vh_evidence_dir *d, const char *rel, struct vh_ev_file **out)
{
	char *copy, *comp, *slash;
	int dirfd, fd, err;

	*out = NULL;
	if (!rel || rel[0] == '/')
		return vh_set_error(VH_ERR_INVAL, "%s: output name must be relative",
				    rel ? rel : "");
	copy = strdup(rel);
	if (!copy)
		return VH_ERR_NOMEM;
	dirfd = dup(d->fd);
	if (dirfd < 0) {
		free(copy);
		return vh_set_error(VH_ERR_IO, "%s: %s", d->path, strerror(errno));
	}
	comp = copy;
	while ((slash = strchr(comp, '/'))) {
		int next;

		*slash = '\0';
		if (!component_ok(comp))
			goto bad_name;
		if (mkdirat(dirfd, comp, 0700) < 0 && errno != EEXIST)
			goto io;
		next = openat(dirfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			goto io;
		close(dirfd);
		dirfd = next;
		comp = slash + 1;
	}
	if (!component_ok(comp))
		goto bad_name;
	fd = openat(
	    dirfd, comp,
	    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (d->opts.force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		err = errno == EEXIST ? vh_set_error(VH_ERR_EXISTS,
						     "%s/%s exists (choose another folder, or "
						     "force to overwrite)",
						     d->path, rel)
				      : vh_set_error(VH_ERR_IO, "%s/%s: cannot create: %s", d->path,
						     rel, strerror(errno));
		goto fail;
	}
	err = file_new(fd, rel, out);
	if (err)
		goto fail;
	(*out)->dirfd = dirfd;
	(*out)->leaf = strdup(comp);
	free(copy);
	if (!(*out)->leaf) {
		vh_ev_file_discard(*out);
		*out = NULL;
		return VH_ERR_NOMEM;
	}
	return VH_OK;
bad_name:
	err = vh_set_error(VH_ERR_INVAL, "%s: unsafe output name", rel);
	goto fail;
io:
	err = vh_set_error(VH_ERR_IO, "%s/%s: cannot create folder: %s", d->path, rel,
			   strerror(errno));
fail:
	close(dirfd);
	free(copy);
	return err;
}

int vh_ev_file_create_path(const char *path, bool force, struct vh_ev_file **out)
{
	int fd, err;

	*out = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0)
		return errno == EEXIST
			   ? vh_set_error(VH_ERR_EXISTS, "%s exists (force to overwrite)", path)
			   : vh_set_error(VH_ERR_IO, "%s: cannot create: %s", path,
					  strerror(errno));
	err = file_new(fd, path, out);
	if (!err)
		(*out)->path_given = true;
	return err;
}

int vh_ev_file_write(struct vh_ev_file *f, const void *buf, size_t len)
{
	const char *p = buf;

	if (EVP_DigestUpdate(f->md, buf, len) != 1)
		return vh_set_error(VH_ERR_NOMEM, "%s: hashing failed", f->name);
	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vh_set_error(VH_ERR_IO, "%s: write failed at offset 0x%llx: %s",
					    f->name, (unsigned long long)f->size,
					    n < 0 ? strerror(errno) : "no space written");
		p += n;
		len -= (size_t)n;
		f->size += (uint64_t)n;
	}
	return VH_OK;
}

int vh_ev_file_zeros(struct vh_ev_file *f, uint64_t len)
{
	static const unsigned char zero[VH_EV_PAGE];

	for (uint64_t left = len; left;) {
		size_t n = left < sizeof(zero) ? (size_t)left : sizeof(zero);

		if (EVP_DigestUpdate(f->md, zero, n) != 1)
			return vh_set_error(VH_ERR_NOMEM, "%s: hashing failed", f->name);
		left -= n;
	}
	if (len && lseek(f->fd, (off_t)len, SEEK_CUR) < 0)
		return vh_set_error(VH_ERR_IO, "%s: seek failed at offset 0x%llx: %s", f->name,
				    (unsigned long long)f->size, strerror(errno));
	f->size += len;
	return VH_OK;
}

uint64_t vh_ev_file_size(const struct vh_ev_file *f)
{
	return f->size;
}

const char *vh_ev_file_name(const struct vh_ev_file *f)
{
	return f->name;
}

static void file_free(struct vh_ev_file *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	EVP_MD_CTX_free(f->md);
	free(f->leaf);
	free(f->name);
	free(f);
}

void vh_ev_file_discard(struct vh_ev_file *f)
{
	if (!f)
		return;
	close(f->fd);
	if (f->path_given)
		unlink(f->name);
	else if (f->leaf)
		unlinkat(f->dirfd, f->leaf, 0);
	file_free(f);
}

int vh_ev_file_finish(struct vh_ev_file *f, char sha256[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int err = VH_OK;

	/* a trailing hole needs the file's length set */
	if (ftruncate(f->fd, (off_t)f->size) < 0 || close(f->fd) < 0) {
		err = vh_set_error(VH_ERR_IO, "%s: write failed: %s", f->name, strerror(errno));
		f->fd = -1;
	}
	if (!err && EVP_DigestFinal_ex(f->md, md, &mdlen) != 1)
		err = vh_set_error(VH_ERR_NOMEM, "%s: hashing failed", f->name);
	if (err) {
		if (f->path_given)
			unlink(f->name);
		else if (f->leaf)
			unlinkat(f->dirfd, f->leaf, 0);
		file_free(f);
		return err;
	}
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(sha256 + 2 * i, 3, "%02x", md[i]);
	sha256[64] = '\0';
	file_free(f);
	return VH_OK;
}

int vh_ev_absent_add(struct vh_ev_absent *a, uint64_t start, uint64_t end, int err)
{
	if (end <= start)
		return VH_OK;
	a->pages += (end - start + VH_EV_PAGE - 1) / VH_EV_PAGE;
	if (a->n && a->runs[a->n - 1].end == start && a->runs[a->n - 1].err == err) {
		a->runs[a->n - 1].end = end;
		return VH_OK;
	}
	if (a->n == a->cap) {
		struct vh_ev_absent_run *r = vh_grow(a->runs, a->n, &a->cap, sizeof(*r), 16);

		if (!r)
			return VH_ERR_NOMEM;
		a->runs = r;
	}
	a->runs[a->n++] = (struct vh_ev_absent_run){start, end, err};
	return VH_OK;
}

const char *vh_ev_absent_reason(int err)
{
	switch (err) {
	case VH_ERR_EXCLUDED:
		return "excluded by the dump tool";
	case VH_ERR_NOT_PRESENT:
		return "not in the dump";
	case VH_ERR_NOT_MAPPED:
		return "not mapped";
	case VH_OK:
		return "not cached";
	case VH_EV_SWAPPED:
		return "swapped";
	case VH_EV_EVICTED:
		return "evicted";
	case VH_EV_UNKNOWN:
		return "page cache unreadable";
	default:
		return vh_strerror(err);
	}
}

void vh_ev_absent_json(const struct vh_ev_absent *a, struct vh_json *j)
{
	vh_json_u64(j, "absent_pages", a->pages);
	vh_json_begin_array(j, "absent");
	for (size_t i = 0; i < a->n; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_hex(j, "start", a->runs[i].start);
		vh_json_hex(j, "end", a->runs[i].end);
		vh_json_str(j, "reason", vh_ev_absent_reason(a->runs[i].err));
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
}

void vh_ev_absent_free(struct vh_ev_absent *a)
{
	free(a->runs);
	*a = (struct vh_ev_absent){0};
}
