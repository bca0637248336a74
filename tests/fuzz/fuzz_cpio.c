/*
 * Fuzz target: the cpio (newc) parser (fs/cpio.c), the boot module's
 * reader. The input is the archive. Besides what the sanitizers catch,
 * each entry is checked against the contract in fs.h: its name and data
 * lie inside the input, the name has no NUL, and cpio_name_ok never
 * accepts an absolute name or a ".." component. Every data byte is
 * read, so an entry reaching past the buffer is an ASan report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fs.h"

#define ASSERT(c)                                                              \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#c);                                           \
			abort();                                               \
		}                                                              \
	} while (0)

struct span {
	const uint8_t *buf;
	size_t len;
	unsigned sum;
};

static int entry(void *ctx, const struct cpio_entry *e)
{
	struct span *s = ctx;
	const uint8_t *n = (const uint8_t *)e->name;
	ASSERT(n >= s->buf && n + e->namelen <= s->buf + s->len);
	ASSERT(e->data >= s->buf && e->data + e->size <= s->buf + s->len);
	ASSERT(memchr(e->name, 0, e->namelen) == NULL);
	for (size_t i = 0; i < e->size; i++)
		s->sum += e->data[i];
	if (cpio_name_ok(e->name, e->namelen)) {
		ASSERT(e->name[0] != '/');
		for (size_t i = 0; i + 1 < e->namelen; i++)
			ASSERT(!(e->name[i] == '.' && e->name[i + 1] == '.' &&
				 (i == 0 || e->name[i - 1] == '/') &&
				 (i + 2 == e->namelen ||
				  e->name[i + 2] == '/')));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: a read past it is an ASan report. */
	uint8_t *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	struct span s = { buf, size, 0 };
	const char *why = NULL;
	int r = cpio_parse(buf, size, entry, &s, &why);
	ASSERT(r == 0 || (r < 0 && why));
	free(buf);
	return 0;
}
