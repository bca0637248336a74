/*
 * A tiny framework for the host unit tests. A test file writes each case
 * as a function and lists them in main():
 *
 *   static void empty_line(void) { CHECK_EQ(cmdline_parse(&c, ""), 0); }
 *   int main(int argc, char **argv)
 *   {
 *           test_init("cmdline", argc, argv);
 *           RUN(empty_line);
 *           return test_summary();
 *   }
 *
 * A failed check prints file:line and what it saw, and the case goes on.
 * Each case prints one line ("ok" or "FAIL" and its name); test_summary()
 * prints the totals and returns the exit status. `build/unit/test_x NAME`
 * runs only the case NAME.
 */
#ifndef ATMAN_TEST_H
#define ATMAN_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *test_suite, *test_only;
static int test_fails;	       /* checks failed in the current case */
static int test_ran, test_bad; /* cases run, cases failed */

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("  %s:%d: CHECK(%s) failed\n", __FILE__,        \
			       __LINE__, #c);                                  \
			test_fails++;                                          \
		}                                                              \
	} while (0)

/* Integers and pointers, compared as 64-bit values. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		unsigned long long a_ = (unsigned long long)(a);               \
		unsigned long long b_ = (unsigned long long)(b);               \
		if (a_ != b_) {                                                \
			printf("  %s:%d: %s == %s: %lld (%#llx) != %lld "      \
			       "(%#llx)\n",                                    \
			       __FILE__, __LINE__, #a, #b, (long long)a_, a_,  \
			       (long long)b_, b_);                             \
			test_fails++;                                          \
		}                                                              \
	} while (0)

/* NUL-terminated strings; NULL equals only NULL. */
#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (a_ != b_ && (!a_ || !b_ || strcmp(a_, b_))) {              \
			printf("  %s:%d: %s == %s: \"%s\" != \"%s\"\n",        \
			       __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", \
			       b_ ? b_ : "(null)");                            \
			test_fails++;                                          \
		}                                                              \
	} while (0)

static inline void test_init(const char *suite, int argc, char **argv)
{
	test_suite = suite;
	test_only = argc > 1 ? argv[1] : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline void test_run(void (*fn)(void), const char *name)
{
	if (test_only && strcmp(test_only, name))
		return;
	test_fails = 0;
	fn();
	test_ran++;
	if (test_fails)
		test_bad++;
	printf("%s %s.%s\n", test_fails ? "FAIL" : "ok  ", test_suite, name);
}
#define RUN(fn) test_run(fn, #fn)

static inline int test_summary(void)
{
	printf("%s: %d cases, %d failed%s\n", test_suite, test_ran, test_bad,
	       test_ran ? "" : " (no case ran)");
	return test_bad || !test_ran ? 1 : 0;
}

/* A small deterministic generator for randomized cases (xorshift64*). */
static inline unsigned long long test_rand(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

#endif
