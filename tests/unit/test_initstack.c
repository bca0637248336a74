/* kern/initstack.c: the initial stack is built into a host buffer, then
 * read back the way musl's _start and __init_libc read it. */
#include <elf.h>
#include <stdint.h>

#include "kern/kern.h"
#include "test.h"

static const uint8_t rnd[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
};

/* What _start sees at sp, and where every part lies. */
struct seen {
	long argc;
	char **argv, **envp;
	uint64_t *auxv;	     /* type, value pairs up to AT_NULL */
	int nauxv;	     /* not counting AT_NULL */
	uintptr_t words_end; /* just past the AT_NULL pair */
};

static struct seen walk(uintptr_t sp)
{
	struct seen s;
	uint64_t *w = (uint64_t *)sp;
	s.argc = (long)w[0];
	s.argv = (char **)(w + 1);
	s.envp = s.argv + s.argc + 1;
	char **e = s.envp;
	while (*e)
		e++;
	s.auxv = (uint64_t *)(e + 1);
	for (s.nauxv = 0; s.auxv[2 * s.nauxv] != AT_NULL; s.nauxv++)
		;
	s.words_end = (uintptr_t)(s.auxv + 2 * s.nauxv + 2);
	return s;
}

static uint64_t aux_get(const struct seen *s, uint64_t type)
{
	for (int i = 0; i < s->nauxv; i++)
		if (s->auxv[2 * i] == type)
			return s->auxv[2 * i + 1];
	return 0;
}

/* Everything the builder wrote lies in [sp, top); strings lie above the
 * words. */
static bool inside(uintptr_t p, size_t len, uintptr_t lo, uintptr_t top)
{
	return p >= lo && p <= top && len <= top - p;
}

static void a_full_stack(void)
{
	enum { SIZE = 4096 };
	char *buf = aligned_alloc(16, SIZE);
	uintptr_t top = (uintptr_t)buf + SIZE, base = (uintptr_t)buf;
	char *argv[] = { "-n", "5", "two words" };
	char *envp[] = { "TZ=UTC", "LANG=C.UTF-8" };
	struct auxv_pair aux[] = {
		{ AT_PAGESZ, 4096 },
		{ AT_RANDOM, 0 },
		{ AT_ENTRY, 0x101234 },
		{ AT_UID, 0 },
	};
	uintptr_t sp = initstack_build(top, base, "prog", argv, 3, envp, 2, aux,
				       4, rnd);
	CHECK(sp != 0);
	CHECK_EQ(sp % 16, 0);
	CHECK(sp >= base && sp < top);
	struct seen s = walk(sp);
	CHECK_EQ(s.argc, 4);
	CHECK_STR(s.argv[0], "prog");
	CHECK_STR(s.argv[1], "-n");
	CHECK_STR(s.argv[2], "5");
	CHECK_STR(s.argv[3], "two words");
	CHECK(s.argv[4] == NULL);
	CHECK_STR(s.envp[0], "TZ=UTC");
	CHECK_STR(s.envp[1], "LANG=C.UTF-8");
	CHECK(s.envp[2] == NULL);

	/* The auxv pairs in order, then AT_NULL. */
	CHECK_EQ(s.nauxv, 4);
	CHECK_EQ(s.auxv[0], AT_PAGESZ);
	CHECK_EQ(s.auxv[1], 4096);
	CHECK_EQ(s.auxv[2], AT_RANDOM);
	CHECK_EQ(s.auxv[4], AT_ENTRY);
	CHECK_EQ(s.auxv[5], 0x101234);
	CHECK_EQ(s.auxv[6], AT_UID);
	CHECK_EQ(s.auxv[7], 0);
	CHECK_EQ(s.auxv[9], 0);

	/* AT_RANDOM points at the 16 bytes, on the stack, above the words. */
	uintptr_t r = aux_get(&s, AT_RANDOM);
	CHECK(inside(r, 16, s.words_end, top));
	CHECK(r && !memcmp((void *)r, rnd, 16));

	/* Every string is a copy on the stack, above the words, and no two
	 * overlap each other or the random bytes. */
	char *strs[] = { s.argv[0], s.argv[1], s.argv[2],
			 s.argv[3], s.envp[0], s.envp[1] };
	for (int i = 0; i < 6; i++) {
		size_t n = strlen(strs[i]) + 1;
		CHECK(inside((uintptr_t)strs[i], n, s.words_end, top));
		CHECK(strs[i] + n <= (char *)r || strs[i] >= (char *)r + 16);
		for (int j = 0; j < i; j++)
			CHECK(strs[i] + n <= strs[j] ||
			      strs[j] + strlen(strs[j]) + 1 <= strs[i]);
	}
	CHECK(s.argv[1] != argv[0]);
	free(buf);
}

static void no_arguments_no_environment(void)
{
	enum { SIZE = 512 };
	char *buf = aligned_alloc(16, SIZE);
	uintptr_t top = (uintptr_t)buf + SIZE;
	uintptr_t sp = initstack_build(top, (uintptr_t)buf, "p", NULL, 0, NULL,
				       0, NULL, 0, rnd);
	CHECK(sp != 0);
	CHECK_EQ(sp % 16, 0);
	struct seen s = walk(sp);
	CHECK_EQ(s.argc, 1);
	CHECK_STR(s.argv[0], "p");
	CHECK(s.argv[1] == NULL);
	CHECK(s.envp[0] == NULL);
	CHECK_EQ(s.nauxv, 0);
	free(buf);
}

/* Whatever the string lengths and however top is aligned, sp is 16-byte
 * aligned, as the x86-64 ABI promises _start. */
static void always_aligned(void)
{
	enum { SIZE = 2048 };
	char *buf = aligned_alloc(16, SIZE);
	char name[64];
	struct auxv_pair aux[] = { { AT_RANDOM, 0 } };
	for (int skew = 0; skew < 16; skew++) {
		for (int len = 0; len < 40; len++) {
			memset(name, 'n', len);
			name[len] = 0;
			char *argv[] = { name, "x" };
			uintptr_t top = (uintptr_t)buf + SIZE - skew;
			uintptr_t sp = initstack_build(
				top, (uintptr_t)buf, name, argv,
				len & 1 ? 2 : 1, NULL, 0, aux, 1, rnd);
			CHECK(sp && sp % 16 == 0);
			if (!sp)
				continue;
			struct seen s = walk(sp);
			CHECK_STR(s.argv[0], name);
			CHECK(!memcmp((void *)aux_get(&s, AT_RANDOM), rnd, 16));
		}
	}
	free(buf);
}

/* Each size of stack either holds everything or gets 0, and nothing is
 * ever written outside [base, top), wherever base falls: the buffer ends
 * exactly at top, so ASan catches a stray write above, and the bytes
 * below base are a canary. */
static void returns_zero_when_it_does_not_fit(void)
{
	char *argv[] = { "alpha", "beta" };
	char *envp[] = { "HOME=/" };
	struct auxv_pair aux[] = { { AT_PAGESZ, 4096 }, { AT_RANDOM, 0 } };
	for (size_t skew = 0; skew < 16; skew++) {
		size_t smallest = 0;
		for (size_t size = 0; size < 400; size++) {
			char *buf = malloc(skew + size ? skew + size : 1);
			memset(buf, 0xcc, skew);
			uintptr_t base = (uintptr_t)buf + skew,
				  top = base + size;
			uintptr_t sp = initstack_build(top, base, "prog", argv,
						       2, envp, 1, aux, 2, rnd);
			for (size_t i = 0; i < skew; i++)
				CHECK_EQ((uint8_t)buf[i], 0xcc);
			if (sp) {
				if (!smallest)
					smallest = size;
				CHECK(sp >= base && sp < top && sp % 16 == 0);
				struct seen s = walk(sp);
				CHECK_EQ(s.argc, 3);
				CHECK_STR(s.argv[2], "beta");
				CHECK_STR(s.envp[0], "HOME=/");
			} else {
				/* Once it fits, a bigger stack fits too. */
				CHECK(!smallest);
			}
			free(buf);
			if (test_fails) {
				printf("  base %% 16 == %zu, size %zu\n",
				       (size_t)base % 16, size);
				return;
			}
		}
		/* 13 words (argc, 3+1 argv, 1+1 envp, 3 auxv pairs), 16
		 * random bytes, 23 bytes of strings: 143, and up to 15 to
		 * align; the builder may ask for a little more. */
		CHECK(smallest >= 143 && smallest <= 143 + 48);
	}
	/* top below base: nothing fits. */
	char buf[64];
	CHECK_EQ(initstack_build((uintptr_t)buf, (uintptr_t)buf + 64, "p", NULL,
				 0, NULL, 0, NULL, 0, rnd),
		 0);
}

/* AT_EXECFN points at argv[0]'s copy, AT_PLATFORM at a copy of its
 * string, both inside the stack (a Linux program reads them there). */
static void execfn_and_platform(void)
{
	enum { SIZE = 4096 };
	char *buf = aligned_alloc(16, SIZE);
	uintptr_t top = (uintptr_t)buf + SIZE, base = (uintptr_t)buf;
	char platform[] = "x86_64";
	struct auxv_pair aux[] = {
		{ AT_PAGESZ, 4096 },
		{ AT_PLATFORM, (uintptr_t)platform },
		{ AT_EXECFN, 0 },
		{ AT_RANDOM, 0 },
	};
	uintptr_t sp = initstack_build(top, base, "prog", NULL, 0, NULL, 0, aux,
				       4, rnd);
	CHECK(sp != 0);
	struct seen s = walk(sp);
	char *execfn = (char *)aux_get(&s, AT_EXECFN);
	char *plat = (char *)aux_get(&s, AT_PLATFORM);
	CHECK(execfn == s.argv[0]);
	CHECK_STR(execfn, "prog");
	CHECK(plat != platform);
	CHECK(inside((uintptr_t)plat, 7, s.words_end, top));
	CHECK_STR(plat, "x86_64");
	CHECK_EQ(aux_get(&s, AT_PAGESZ), 4096);
	/* Its length counts in the size check: a stack just too small. */
	size_t need = top - sp;
	CHECK_EQ(initstack_build(top, top - need + 8, "prog", NULL, 0, NULL, 0,
				 aux, 4, rnd),
		 0);
	free(buf);
}

static void too_many_words(void)
{
	enum { N = 2 * CMDLINE_MAXWORDS + 8 };
	char *argv[N];
	for (int i = 0; i < N; i++)
		argv[i] = "a";
	size_t size = 64 * 1024;
	char *buf = aligned_alloc(16, size);
	uintptr_t top = (uintptr_t)buf + size;
	CHECK_EQ(initstack_build(top, (uintptr_t)buf, "p", argv, N, NULL, 0,
				 NULL, 0, rnd),
		 0);
	/* As many as the command line can carry is fine. */
	uintptr_t sp = initstack_build(top, (uintptr_t)buf, "p", argv,
				       CMDLINE_MAXWORDS - 1, argv,
				       CMDLINE_MAXWORDS - 1, NULL, 0, rnd);
	CHECK(sp != 0);
	if (sp)
		CHECK_EQ(walk(sp).argc, CMDLINE_MAXWORDS);
	free(buf);
}

int main(int argc, char **argv)
{
	test_init("initstack", argc, argv);
	RUN(a_full_stack);
	RUN(no_arguments_no_environment);
	RUN(always_aligned);
	RUN(returns_zero_when_it_does_not_fit);
	RUN(too_many_words);
	RUN(execfn_and_platform);
	return test_summary();
}
