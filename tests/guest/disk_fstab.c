/* /etc/fstab in the root mounts the disks: /srv read-write, /ro
 * read-only (the ro option), a noauto line left alone. Four threads
 * then write files on /srv at once (the file system's one lock), each
 * read back whole. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define THREADS 4
#define SIZE	(256 * 1024)

static int fails;

static void *writer(void *arg)
{
	int id = (int)(long)arg;
	char path[32], *buf = malloc(SIZE), *back = malloc(SIZE);
	snprintf(path, sizeof(path), "/srv/t%d", id);
	for (int i = 0; i < SIZE; i++)
		buf[i] = (char)(i * (id + 3));
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (int off = 0; fd >= 0 && off < SIZE; off += 4096)
		if (write(fd, buf + off, 4096) != 4096)
			break;
	if (fd < 0 || fsync(fd) || pread(fd, back, SIZE, 0) != SIZE ||
	    memcmp(buf, back, SIZE)) {
		printf("disk_fstab: FAIL thread %d: errno %d\n", id, errno);
		__atomic_add_fetch(&fails, 1, __ATOMIC_SEQ_CST);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	free(back);
	return NULL;
}

int main(void)
{
	struct statfs s;
	struct stat st;
	if (statfs("/srv", &s) || s.f_type != 0xEF53) {
		printf("disk_fstab: FAIL /srv is not ext\n");
		return 1;
	}
	if (statfs("/ro", &s) || s.f_type != 0xEF53) {
		printf("disk_fstab: FAIL /ro is not ext\n");
		return 1;
	}
	if (stat("/later", &st) == 0) {
		printf("disk_fstab: FAIL the noauto line was mounted\n");
		return 1;
	}
	errno = 0;
	if (open("/ro/x", O_WRONLY | O_CREAT, 0644) != -1 || errno != EROFS) {
		printf("disk_fstab: FAIL /ro is writable (errno %d)\n", errno);
		return 1;
	}
	printf("disk_fstab: /srv and /ro mounted from /etc/fstab\n");
	pthread_t t[THREADS];
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (fails)
		return 1;
	printf("disk_fstab: %d threads wrote and read back at once\n", THREADS);
	return 0;
}
