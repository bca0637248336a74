/* The monotonic clock moves forward and never backwards over many reads;
 * nanosleep sleeps at least as long as asked; the wall clock is a sane
 * date. */
#include <stdio.h>
#include <time.h>

static long long ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	long long first = ns(CLOCK_MONOTONIC), prev = first, back = 0;
	long same = 0;
	/* Each read costs ~50 us in the box, where Xen emulates rdtsc. */
	for (int i = 0; i < 50000; i++) {
		long long t = ns(CLOCK_MONOTONIC);
		if (t < prev)
			back++;
		if (t == prev)
			same++;
		prev = t;
	}
	printf("50000 reads: %lld went backwards, moved %s\n", back,
	       prev > first ? "forward" : "NOT AT ALL");

	long long t0 = ns(CLOCK_MONOTONIC);
	struct timespec req = { 0, 50 * 1000000 };
	nanosleep(&req, NULL);
	long long slept = ns(CLOCK_MONOTONIC) - t0;
	printf("nanosleep 50 ms: %s\n",
	       slept >= 50000000 ? "at least 50 ms" : "TOO SHORT");

	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	long long wall = ns(CLOCK_REALTIME) / 1000000000;
	/* 2020-01-01 .. 2100-01-01 */
	printf("wall clock %s, resolution %s\n",
	       wall > 1577836800LL && wall < 4102444800LL ? "plausible"
							  : "IMPLAUSIBLE",
	       res.tv_sec == 0 && res.tv_nsec > 0 ? "ok" : "BAD");
	printf("(%ld reads saw the same time; slept %lld us)\n", same,
	       slept / 1000);
	return back || prev <= first || slept < 50000000;
}
