/*
 * Fuzz target: the command-line parser (kern/cmdline.c). The input is
 * the line xl's cmdline= would give, cut at its first NUL. Besides
 * what the sanitizers catch, the result is checked against the
 * contract in kern.h: refused (with a reason) or split into words that
 * all lie, NUL-terminated, inside c->buf (an overflow there would run
 * into the word arrays of the same struct, where ASan cannot see it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kern.h"

#define ASSERT(c)                                                              \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#c);                                           \
			abort();                                               \
		}                                                              \
	} while (0)

static void check_words(const struct cmdline *c, char *const *w, int n)
{
	ASSERT(n >= 0 && n < CMDLINE_MAXWORDS);
	for (int i = 0; i < n; i++) {
		const char *end = c->buf + sizeof(c->buf);
		ASSERT(w[i] >= c->buf && w[i] < end);
		ASSERT(memchr(w[i], 0, end - w[i]) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[2 * CMDLINE_MAX + 2];
	static struct cmdline c;
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = 0;
	int r = cmdline_parse(&c, line);
	if (r) {
		ASSERT(c.error != NULL);
		return 0;
	}
	ASSERT(c.error == NULL);
	ASSERT(strlen(line) <= CMDLINE_MAX);
	ASSERT(c.nopt + c.nenv + c.narg < CMDLINE_MAXWORDS);
	check_words(&c, c.opt, c.nopt);
	check_words(&c, c.env, c.nenv);
	check_words(&c, c.arg, c.narg);
	for (int i = 0; i < c.nopt; i++)
		ASSERT(!strncmp(c.opt[i], "atman.", 6));
	for (int i = 0; i < c.nenv; i++)
		ASSERT(strchr(c.env[i], '=') != NULL);
	/* A value, when there is one, is the rest of its word. */
	const char *v = cmdline_opt(&c, "atman.x");
	ASSERT(!v || !*v || (v >= c.buf && v < c.buf + sizeof(c.buf)));
	return 0;
}
