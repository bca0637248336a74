/* O_APPEND from two threads, each through its own open file: every
 * record lands whole, none overwrites another. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECS 2000
#define LEN  50

static void *writer(void *arg)
{
	char c = *(char *)arg, rec[LEN];
	memset(rec, c, LEN - 1);
	rec[LEN - 1] = '\n';
	int fd = open("/tmp/log", O_WRONLY | O_APPEND);
	for (int i = 0; i < RECS; i++)
		write(fd, rec, LEN);
	close(fd);
	return NULL;
}

int main(void)
{
	close(open("/tmp/log", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	pthread_t t[2];
	char a = 'a', b = 'b';
	pthread_create(&t[0], NULL, writer, &a);
	pthread_create(&t[1], NULL, writer, &b);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	struct stat st;
	stat("/tmp/log", &st);
	FILE *f = fopen("/tmp/log", "r");
	char line[128];
	int na = 0, nb = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		if (n != LEN ||
		    strspn(line, line[0] == 'a' ? "a" : "b") != LEN - 1)
			bad++;
		else if (line[0] == 'a')
			na++;
		else
			nb++;
	}
	fclose(f);
	printf("size %ld; records: %d a, %d b, %d torn\n", (long)st.st_size, na,
	       nb, bad);
	return 0;
}
