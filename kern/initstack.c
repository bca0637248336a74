/*
 * The initial stack musl's _start expects, as Linux builds it:
 *
 *   top: strings (argv, envp), 16 random bytes (AT_RANDOM)
 *        ... padding to 16 bytes
 *   sp:  argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs, AT_NULL
 *
 * Returns the new stack pointer, or 0 if it does not fit above base.
 * AT_RANDOM's value is filled in here (it points into the stack), and so
 * are AT_EXECFN's (argv[0]'s copy) and AT_PLATFORM's (the string its
 * value points to, copied up there too).
 */
#include <elf.h>

#include "kern.h"

uintptr_t initstack_build(uintptr_t top, uintptr_t base, const char *argv0,
			  char *const *argv, int argc, char *const *envp,
			  int envc, const struct auxv_pair *aux, int nauxv,
			  const uint8_t random[16])
{
	uintptr_t p = top;
	int total = 1 + argc + envc;
	/* Size check first: strings, random, pointers, auxv, alignment. */
	size_t need = 16 + 16 + 8 * (1 + total + 2 + 2 * (nauxv + 1)) + 16;
	need += strlen(argv0) + 1;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	for (int i = 0; i < envc; i++)
		need += strlen(envp[i]) + 1;
	const char *platform = NULL;
	for (int i = 0; i < nauxv; i++)
		if (aux[i].type == AT_PLATFORM)
			platform = (const char *)aux[i].val;
	if (platform)
		need += strlen(platform) + 1;
	if (top < base || top - base < need)
		return 0;

	p -= 16;
	memcpy((void *)p, random, 16);
	uintptr_t rnd = p;
	uintptr_t plat = 0;
	if (platform) {
		p -= strlen(platform) + 1;
		memcpy((void *)p, platform, strlen(platform) + 1);
		plat = p;
	}

	uintptr_t strs[CMDLINE_MAXWORDS * 2 + 1];
	if (total > (int)ARRAY_SIZE(strs))
		return 0;
	const char *src;
	for (int i = 0; i < total; i++) {
		src = i == 0	  ? argv0
		      : i <= argc ? argv[i - 1]
				  : envp[i - 1 - argc];
		size_t n = strlen(src) + 1;
		p -= n;
		memcpy((void *)p, src, n);
		strs[i] = p;
	}

	/* Words below the strings: argc, argv, NULL, envp, NULL, auxv. */
	size_t words = 1 + (1 + argc) + 1 + envc + 1 + 2 * (nauxv + 1);
	p = ALIGN_DOWN(p - 8 * words, 16);
	uint64_t *sp = (uint64_t *)p;
	*sp++ = 1 + argc;
	for (int i = 0; i <= argc; i++)
		*sp++ = strs[i];
	*sp++ = 0;
	for (int i = 0; i < envc; i++)
		*sp++ = strs[1 + argc + i];
	*sp++ = 0;
	for (int i = 0; i < nauxv; i++) {
		*sp++ = aux[i].type;
		*sp++ = aux[i].type == AT_RANDOM     ? rnd
			: aux[i].type == AT_EXECFN   ? strs[0]
			: aux[i].type == AT_PLATFORM ? plat
						     : aux[i].val;
	}
	*sp++ = AT_NULL;
	*sp++ = 0;
	return p;
}
