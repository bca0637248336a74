/* xenstore from a program (<atman/xenstore.h>), under Xen: the domain's
 * own keys, directory listings, errors, a watch that fires, and
 * requests from several threads in flight at once. Without Xen every
 * call says -ENODEV, and that is checked instead. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atman/xenstore.h>

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);    \
			exit(1);                                               \
		}                                                              \
	} while (0)

#define WATCHED	 "data/atman-watch"
#define NTHREADS 4
#define ROUNDS	 25
#define TIMEOUT	 (10 * 1000000000LL)

static char name[256];

static const char *err(int r)
{
	switch (r) {
	case -ENOENT:
		return "ENOENT";
	case -EACCES:
		return "EACCES";
	case -ERANGE:
		return "ERANGE";
	case -ENODEV:
		return "ENODEV";
	case -ETIMEDOUT:
		return "ETIMEDOUT";
	}
	static char s[16];
	snprintf(s, sizeof(s), "%d", r);
	return s;
}

/* Is name one of the n names in list? */
static int listed(const char *list, int n, const char *name)
{
	for (; n > 0; n--, list += strlen(list) + 1)
		if (!strcmp(list, name))
			return 1;
	return 0;
}

static void no_xenstore(void)
{
	char buf[16];
	atman_xs_watch_t *w;
	CHECK(atman_xs_read("name", buf, sizeof(buf)) == -ENODEV);
	CHECK(atman_xs_write("data/x", "1") == -ENODEV);
	CHECK(atman_xs_rm("data/x") == -ENODEV);
	CHECK(atman_xs_directory("device", buf, sizeof(buf)) == -ENODEV);
	CHECK(atman_xs_watch(&w, "data/x") == -ENODEV);
	printf("no xenstore: every call says ENODEV\n");
}

/* Each thread writes its own key and reads it back, and reads the
 * domain's name, ROUNDS times: its requests are in flight together
 * with the others'. */
static void *worker(void *arg)
{
	int id = (int)(long)arg;
	char path[64], want[32], got[64];
	snprintf(path, sizeof(path), WATCHED "/t%d", id);
	for (int i = 0; i < ROUNDS; i++) {
		snprintf(want, sizeof(want), "%d-%d", id, i);
		if (atman_xs_write(path, want))
			return "write";
		if (atman_xs_read(path, got, sizeof(got)) !=
			    (int)strlen(want) ||
		    strcmp(got, want))
			return "read back";
		if (atman_xs_read("name", got, sizeof(got)) < 0 ||
		    strcmp(got, name))
			return "name";
	}
	return NULL;
}

int main(void)
{
	static char buf[ATMAN_XS_MAX];
	char domid[16], home[64];
	int r = atman_xs_read("domid", domid, sizeof(domid));
	if (r == -ENODEV) {
		no_xenstore();
		return 0;
	}
	CHECK(r > 0 && r < (int)sizeof(domid));
	printf("domid %s\n", domid);

	/* The domain's own keys, and its home directory listing them. */
	CHECK(atman_xs_read("name", name, sizeof(name)) > 0);
	printf("name: %s\n", name);
	CHECK(atman_xs_read("vm", buf, sizeof(buf)) > 0);
	printf("vm: %s\n", buf);
	snprintf(home, sizeof(home), "/local/domain/%s", domid);
	int n = atman_xs_directory(home, buf, sizeof(buf));
	CHECK(n > 0);
	printf("home lists name, domid, vm, device, data: %s\n",
	       listed(buf, n, "name") && listed(buf, n, "domid") &&
			       listed(buf, n, "vm") &&
			       listed(buf, n, "device") &&
			       listed(buf, n, "data")
		       ? "yes"
		       : "no");
	n = atman_xs_directory("device", buf, sizeof(buf));
	CHECK(n >= 0);
	printf("device/ lists %d:", n);
	for (const char *p = buf; n > 0; n--, p += strlen(p) + 1)
		printf(" %s", p);
	printf("\n");

	/* Errors, as xenstored and the client give them. */
	printf("missing key: %s\n",
	       err(atman_xs_read("data/atman-no-such-key", buf, sizeof(buf))));
	printf("dom0's keys: %s\n",
	       err(atman_xs_write("/local/domain/0/atman-test", "x")));
	printf("small buffer: %s\n", err(atman_xs_directory(home, buf, 8)));
	char small[3];
	r = atman_xs_read("name", small, sizeof(small));
	printf("cut read: whole length returned: %s\n",
	       r == (int)strlen(name) && strlen(small) == 2 &&
			       !strncmp(small, name, 2)
		       ? "yes"
		       : "no");

	/* A value bigger than the reply ring (1 KiB): xenstored fills the
	 * ring and waits for room, which our reads must tell it of. (Under
	 * xenstored's quota for a domain's value, 2,048 bytes.) */
	static char big[2000], back[sizeof(big) + 1];
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = 'a' + i % 26;
	r = atman_xs_write("data/atman-big", big);
	if (r)
		printf("writing a 1,999-byte value: %s\n", err(r));
	r = atman_xs_read("data/atman-big", back, sizeof(back));
	printf("value past the ring's size read back whole: %s\n",
	       r == (int)strlen(big) && !strcmp(back, big) ? "yes" : "no");
	atman_xs_rm("data/atman-big");

	/* A watch: its first event at once, then one per change. */
	atman_xs_rm(WATCHED);
	atman_xs_watch_t *w;
	CHECK(atman_xs_watch(&w, WATCHED) == 0);
	r = atman_xs_watch_next(w, buf, sizeof(buf), TIMEOUT);
	printf("first event: %s\n", r > 0 ? buf : err(r));
	CHECK(atman_xs_write(WATCHED "/leaf", "v1") == 0);
	r = atman_xs_watch_next(w, buf, sizeof(buf), TIMEOUT);
	printf("event: %s\n", r > 0 ? buf : err(r));
	CHECK(atman_xs_read(WATCHED "/leaf", buf, sizeof(buf)) == 2);
	printf("read back: %s\n", buf);

	/* Several threads at once; their changes come to the watch. */
	pthread_t t[NTHREADS];
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
	int bad = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *why;
		pthread_join(t[i], &why);
		if (why) {
			printf("thread %d: wrong %s\n", i, (char *)why);
			bad++;
		}
	}
	printf("%d threads x %d rounds of requests: %s\n", NTHREADS, ROUNDS,
	       bad ? "FAILED" : "all answered right");
	int seen[NTHREADS] = { 0 }, nseen = 0;
	while (nseen < NTHREADS) {
		r = atman_xs_watch_next(w, buf, sizeof(buf), TIMEOUT);
		if (r < 0)
			break;
		int id;
		if (sscanf(buf, WATCHED "/t%d", &id) == 1 && id >= 0 &&
		    id < NTHREADS && !seen[id]++)
			nseen++;
	}
	printf("events for all %d threads' keys: %s\n", NTHREADS,
	       nseen == NTHREADS ? "yes" : err(r));
	CHECK(atman_xs_unwatch(w) == 0);
	CHECK(atman_xs_rm(WATCHED) == 0);
	CHECK(atman_xs_read(WATCHED, buf, sizeof(buf)) == -ENOENT);
	printf("xenbus ok\n");
	return 0;
}
