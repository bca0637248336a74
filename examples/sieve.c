/*
 * Go's concurrent prime sieve, in C on AtmanOS: a generator thread sends
 * 2, 3, 4, ... down an unbuffered channel; each prime found gets a filter
 * thread that passes on only the numbers it does not divide, so the
 * numbers flow through a chain of one filter per prime found so far.
 * Prints the first N primes (argv[1], default 10), one per line.
 *
 *   bin/atman run examples/sieve.c 100
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atman/chan.h>
#include <atman/task.h>

/* Send 2, 3, 4, ... on out. */
static void generate(void *arg)
{
	chan_t *out = arg;
	for (int i = 2;; i++)
		if (chan_send(out, &i) != 0)
			return;
}

struct filter {
	chan_t *in, *out;
	int prime;
};

/* Copy what comes on in to out, less the multiples of prime. */
static void filter(void *arg)
{
	struct filter *f = arg;
	int i;
	bool ok;
	while (chan_recv(f->in, &i, &ok) == 0 && ok)
		if (i % f->prime != 0 && chan_send(f->out, &i) != 0)
			break;
	free(f);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	chan_t *ch = chan_make(sizeof(int), 0);
	if (!ch) {
		fprintf(stderr, "sieve: no memory for a channel\n");
		return 1;
	}
	int r = go(generate, ch);
	for (int i = 0; i < n && r == 0; i++) {
		int prime;
		r = chan_recv(ch, &prime, NULL);
		if (r)
			break;
		printf("%d\n", prime);
		struct filter *f = malloc(sizeof(*f));
		chan_t *ch1 = chan_make(sizeof(int), 0);
		if (!f || !ch1) {
			fprintf(stderr, "sieve: out of memory at prime %d\n",
				i + 1);
			return 1;
		}
		*f = (struct filter){ .in = ch, .out = ch1, .prime = prime };
		r = go(filter, f);
		ch = ch1;
	}
	if (r) {
		fprintf(stderr, "sieve: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
