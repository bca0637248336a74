#!/bin/sh
# tests/toolchain/run.sh — the promises bin/atman-cc and the guest SDK make
# (issues 2 and 12), each a PASS or FAIL line; exits 1 if any failed.
# Guests run under QEMU alone (bin/atman run --qemu), so no box is needed.
# Needs `make` first (the kernel and the SDK). Takes ~40 s.
#
#   make:      make CC=bin/atman-cc builds examples/multifile (-c, then
#              a link with -lm) and the image runs
#   parts-*:   the file system, ext2/3/4 and the network only in images
#              whose program can use them (and poll/epoll/pipes, timers),
#              forced either way by ATMAN_FS, ATMAN_EXT, ATMAN_NET,
#              ATMAN_EVENTS, ATMAN_TIMERS; the images with and without run
#   probe:     what autoconf does: $CC -qversion, $CC conftest.c (a.out,
#              no -o), -o conftest, -c, -E, --version, -v; a missing
#              function fails to link; ./conftest runs on the build
#              machine (not cross compiling); -o into what is not a
#              regular file (a FIFO for /dev/null) writes through it
#   autoconf:  a configure.ac through Debian's autoconf: ./configure
#              CC=atman-cc finds the compiler, headers and libraries of the
#              SDK (not the build machine's), and make builds the program
#   flag-*:    the link flags Linux build systems pass (-rdynamic, -pie,
#              -Wl,-z,relro, -flto, -lrt, ...): each links and the image
#              runs; -v says why an ignored one is ignored
#   refuse-*:  -shared and -fsanitize= fail with a clear message
#   glibc-*:   no -l, -L, -I or file brings the build machine's (glibc's)
#              libraries or headers into a guest
#   queries:   --print-sysroot, -print-search-dirs, -print-file-name=,
#              -dumpmachine answer for guests
#   crypt:     crypt() of libxcrypt from the SDK: SHA-512 known answers
#   pkg-config, cmake, meson: atman-pkg-config, the CMake toolchain file
#              (find_package(ZLIB)) and the Meson cross file find the
#              SDK's zlib and nothing of the build machine
#   build-lib: atman-build-lib --list knows the SDK's libraries
#   own-names: a program defining panic, printk, page_alloc and net_boot links and
#              its own functions run (the kernel's names are local)
#   strip:     a -s image still gives symbolized crash reports
#   verbose:   -v shows the commands; a warning is shown once
#   install:   make install PREFIX=...; that atman-cc, the SDK (crypt,
#              zlib), atman-pkg-config, the CMake toolchain file and
#              atman-build-lib work from elsewhere and use nothing of
#              this tree
top=$(cd "$(dirname "$0")/../.." && pwd)
CC=$top/bin/atman-cc
tmp=$(mktemp -d "${TMPDIR:-/tmp}/atman-toolchain.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL $1: $2"
	[ -s "$tmp/log" ] && tail -n 15 "$tmp/log" | sed 's/^/    | /'
	failed=$((failed + 1))
}
# boot IMAGE: run it under QEMU; console in $tmp/out, status in $st.
boot() {
	"$top/bin/atman" run --qemu --timeout 30 "$@" >"$tmp/out" 2>&1
	st=$?
}
# has TEXT: the last boot's console has this exact line.
has() { grep -qxF "$1" "$tmp/out"; }
# runs NAME IMAGE STATUS WHY LINE...: boot IMAGE; NAME passes if it exits
# with STATUS and its console has every LINE (one starting with ^: a
# regular expression), else fails saying WHY, with the console.
runs() {
	local n=$1 img=$2 want=$3 why=$4 l ok=1
	shift 4
	boot "$img"
	[ "$st" = "$want" ] || ok=0
	for l in "$@"; do
		case $l in
		^*) grep -q "$l" "$tmp/out" || ok=0 ;;
		*) has "$l" || ok=0 ;;
		esac
	done
	if [ $ok = 1 ]; then pass "$n"; else
		cp "$tmp/out" "$tmp/log"; fail "$n" "$why (status $st)"; fi
}

# ---- make on a small multi-file project --------------------------------------
cp -r "$top/examples/multifile" "$tmp/mf"
if ! make -C "$tmp/mf" CC="$CC" >"$tmp/log" 2>&1; then
	fail make "make CC=atman-cc failed"
elif ! grep -q -- '-c -o main.o main.c' "$tmp/log" ||
     ! grep -q -- '-o geom main.o geom.o -lm' "$tmp/log"; then
	fail make "not built as -c then a link with -lm"
else
	boot "$tmp/mf/geom"
	if [ "$st" = 0 ] && has "diagonal 2.828427" && has "calls 3"; then
		pass make
	else
		cp "$tmp/out" "$tmp/log"; fail make "the image did not run right (status $st)"
	fi
fi

# ---- parts: the file system and ext2/3/4 only for a program with file calls --
# Both ways: hello (no file call) has no file system and none of
# libext2fs, a program with fopen has both and writes its file, one that
# only asks getcwd has the file system without /dev, /proc, the disks
# and ext,
# ATMAN_EXT and ATMAN_FS force either way (ATMAN_EXT=1 brings the file
# system and the disks along),
# and fopen in an image forced without the file system fails with
# ENOSYS, said on the console.
cat >"$tmp/nofile.c" <<'C'
#include <stdio.h>
int main(void) { printf("no files\n"); return 0; }
C
cat >"$tmp/file.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	FILE *f = fopen("/tmp/x", "w");
	int ok = f && fputs("x", f) >= 0 && !fclose(f);
	printf("fopen %s\n", ok ? "ok" : strerror(errno));
	return !ok;
}
C
cat >"$tmp/cwd.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	char b[64];
	printf("cwd %s\n", getcwd(b, sizeof(b)) ? b : "failed");
	return 0;
}
C
has_ext() { nm "$1" | grep -q ' ext2fs_open2$'; }
has_fs() { nm "$1" | grep -q ' vfs_init$'; }
has_disk() { nm "$1" | grep -q ' mounts_boot$'; }
has_devfs() { nm "$1" | grep -q ' procfs_init$'; }
if ! "$CC" -O2 -o "$tmp/nofile" "$tmp/nofile.c" >"$tmp/log" 2>&1 ||
   ! "$CC" -O2 -o "$tmp/file" "$tmp/file.c" >>"$tmp/log" 2>&1 ||
   ! "$CC" -O2 -o "$tmp/cwd" "$tmp/cwd.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_EXT=1 "$CC" -O2 -o "$tmp/nofile-ext" "$tmp/nofile.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_EXT=0 "$CC" -O2 -o "$tmp/file-noext" "$tmp/file.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_FS=1 "$CC" -O2 -o "$tmp/nofile-fs" "$tmp/nofile.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_FS=0 "$CC" -O2 -o "$tmp/file-nofs" "$tmp/file.c" >>"$tmp/log" 2>&1; then
	fail parts "a link failed"
elif has_ext "$tmp/nofile" || ! has_ext "$tmp/file" ||
     ! has_ext "$tmp/nofile-ext" || has_ext "$tmp/file-noext" || has_ext "$tmp/cwd" ||
     has_ext "$tmp/nofile-fs" || has_ext "$tmp/file-nofs"; then
	fail parts "ext in the wrong images (want: file, nofile-ext)"
elif has_fs "$tmp/nofile" || ! has_fs "$tmp/file" || ! has_fs "$tmp/cwd" ||
     ! has_fs "$tmp/nofile-ext" || ! has_fs "$tmp/file-noext" ||
     ! has_fs "$tmp/nofile-fs" || has_fs "$tmp/file-nofs"; then
	fail parts "the file system in the wrong images (want: file, cwd, nofile-ext, file-noext, nofile-fs)"
elif has_disk "$tmp/nofile" || ! has_disk "$tmp/file" || has_disk "$tmp/cwd" ||
     ! has_disk "$tmp/nofile-ext" || ! has_disk "$tmp/file-noext" || has_disk "$tmp/file-nofs"; then
	fail parts "the disks in the wrong images (want: file, nofile-ext, file-noext)"
elif has_devfs "$tmp/nofile" || ! has_devfs "$tmp/file" || has_devfs "$tmp/cwd" ||
     ! has_devfs "$tmp/file-noext" || has_devfs "$tmp/file-nofs"; then
	fail parts "/dev and /proc in the wrong images (want: file, file-noext)"
elif nm "$tmp/file" | grep -q ' exec_load$' || ! nm "$top/build/lib/atman.o" | grep -q ' exec_load$'; then
	fail parts "the loader of static Linux programs in an atman-cc image, or not in atman.o"
else
	pass parts
fi
runs parts-file-runs "$tmp/file" 0 "the fopen program did not run right" "fopen ok"
runs parts-nofile-runs "$tmp/nofile" 0 "the program without ext did not run" "no files"
runs parts-fs-runs "$tmp/cwd" 0 "the getcwd program did not run right" "cwd /"
runs parts-nofs-enosys "$tmp/file-nofs" 1 "want ENOSYS from fopen" \
	"fopen Function not implemented" '^atman: unsupported syscall open'

# ---- parts: the network only in images whose program makes a socket call ----
# Both ways again: the program without files above has no lwIP; one that
# makes a socket, binds and listens on loopback has it and runs; one that
# only resolves a name (getaddrinfo: musl's resolver makes the socket)
# has it, and the file system for the /etc/hosts the resolver reads with
# the system call (not open()), and resolves localhost; one that calls
# syscall() itself has every part; ATMAN_NET forces either way, and a
# socket call in an image forced without the network fails with ENOSYS,
# said on the console.
cat >"$tmp/sock.c" <<'C'
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	int ok = !bind(s, (struct sockaddr *)&a, sizeof(a)) && !listen(s, 1);
	printf("listen %s\n", ok ? "ok" : "failed");
	return !ok;
}
C
cat >"$tmp/gai.c" <<'C'
#include <netdb.h>
#include <stdio.h>
int main(void)
{
	struct addrinfo *r;
	int e = getaddrinfo("localhost", NULL, NULL, &r);
	printf("getaddrinfo %d\n", e);
	return e != 0;
}
C
cat >"$tmp/sys.c" <<'C'
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) { printf("pid %ld\n", syscall(SYS_getpid)); return 0; }
C
has_net() { nm "$1" | grep -q ' lwip_init$'; }
if ! "$CC" -O2 -o "$tmp/sock" "$tmp/sock.c" >"$tmp/log" 2>&1 ||
   ! "$CC" -O2 -o "$tmp/gai" "$tmp/gai.c" >>"$tmp/log" 2>&1 ||
   ! "$CC" -O2 -o "$tmp/sys" "$tmp/sys.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_NET=1 "$CC" -O2 -o "$tmp/nofile-net" "$tmp/nofile.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_NET=0 "$CC" -O2 -o "$tmp/sock-nonet" "$tmp/sock.c" >>"$tmp/log" 2>&1; then
	fail parts-net "a link failed"
elif has_net "$tmp/nofile" || has_net "$tmp/file" || ! has_net "$tmp/sock" ||
     has_ext "$tmp/sock" || has_fs "$tmp/sock" || ! has_net "$tmp/gai" || ! has_fs "$tmp/gai" ||
     has_ext "$tmp/gai" || ! has_net "$tmp/nofile-net" ||
     has_net "$tmp/sock-nonet" || ! has_net "$tmp/sys" || ! has_ext "$tmp/sys" ||
     ! has_fs "$tmp/sys"; then
	fail parts-net "lwIP in the wrong images (want: sock, gai, sys, nofile-net; gai with the file system)"
else
	pass parts-net
fi
runs parts-net-runs "$tmp/sock" 0 "the socket program did not run right" "listen ok"
runs parts-gai-runs "$tmp/gai" 0 "getaddrinfo did not work (musl's resolver reads /etc/hosts)" \
	"getaddrinfo 0"
runs parts-nonet-enosys "$tmp/sock-nonet" 1 "want ENOSYS from socket" \
	"socket: Function not implemented" "atman: unsupported syscall socket (41)"

# ---- parts: poll, epoll, pipes and eventfds only for a program that uses them --
cat >"$tmp/pipe.c" <<'C'
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void)
{
	int p[2];
	char c = 0;
	if (pipe(p)) {
		printf("pipe: %s\n", strerror(errno));
		return 1;
	}
	struct pollfd f = { .fd = p[0], .events = POLLIN };
	int ok = write(p[1], "x", 1) == 1 && poll(&f, 1, 1000) == 1 &&
		 read(p[0], &c, 1) == 1 && c == 'x';
	printf("pipe %s\n", ok ? "ok" : "failed");
	return !ok;
}
C
has_events() { nm "$1" | grep -q ' pipe_open$'; }
if ! "$CC" -O2 -o "$tmp/pipe" "$tmp/pipe.c" >"$tmp/log" 2>&1 ||
   ! ATMAN_EVENTS=1 "$CC" -O2 -o "$tmp/nofile-events" "$tmp/nofile.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_EVENTS=0 "$CC" -O2 -o "$tmp/pipe-noevents" "$tmp/pipe.c" >>"$tmp/log" 2>&1; then
	fail parts-events "a link failed"
elif has_events "$tmp/nofile" || has_events "$tmp/file" || ! has_events "$tmp/pipe" ||
     ! has_events "$tmp/nofile-events" || has_events "$tmp/pipe-noevents" ||
     ! has_events "$tmp/sys" || has_net "$tmp/pipe" || has_fs "$tmp/pipe"; then
	fail parts-events "pipes in the wrong images (want: pipe, sys, nofile-events)"
else
	pass parts-events
fi
runs parts-events-runs "$tmp/pipe" 0 "the pipe program did not run right" "pipe ok"
runs parts-noevents-enosys "$tmp/pipe-noevents" 1 "want ENOSYS from pipe" \
	"pipe: Function not implemented" "atman: unsupported syscall pipe (22)"

# ---- parts: alarm and the other timers only for a program that sets one --------
cat >"$tmp/alarm.c" <<'C'
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
static volatile sig_atomic_t rang;
static void ring(int s) { rang = s; }
int main(void)
{
	struct itimerval v = { .it_value = { 0, 1000 } };
	signal(SIGALRM, ring);
	if (setitimer(ITIMER_REAL, &v, NULL)) {
		printf("setitimer: %s\n", strerror(errno));
		return 1;
	}
	while (!rang)
		pause();
	printf("timer rang\n");
	return 0;
}
C
has_timers() { nm "$1" | grep -q ' ptimer_create$'; }
if ! "$CC" -O2 -o "$tmp/alarm" "$tmp/alarm.c" >"$tmp/log" 2>&1 ||
   ! ATMAN_TIMERS=1 "$CC" -O2 -o "$tmp/nofile-timers" "$tmp/nofile.c" >>"$tmp/log" 2>&1 ||
   ! ATMAN_TIMERS=0 "$CC" -O2 -o "$tmp/alarm-notimers" "$tmp/alarm.c" >>"$tmp/log" 2>&1; then
	fail parts-timers "a link failed"
elif has_timers "$tmp/nofile" || has_timers "$tmp/pipe" || ! has_timers "$tmp/alarm" ||
     ! has_timers "$tmp/nofile-timers" || has_timers "$tmp/alarm-notimers" ||
     ! has_timers "$tmp/sys"; then
	fail parts-timers "timers in the wrong images (want: alarm, sys, nofile-timers)"
else
	pass parts-timers
fi
runs parts-timers-runs "$tmp/alarm" 0 "the setitimer program did not run right" "timer rang"
runs parts-notimers-enosys "$tmp/alarm-notimers" 1 "want ENOSYS from setitimer" \
	"setitimer: Function not implemented" "atman: unsupported syscall setitimer (38)"

# ---- autoconf-style probes ----------------------------------------------------
cd "$tmp" || exit 2
cat >conftest.c <<'C'
#include <stdio.h>
#include <math.h>
int main(void) { printf("conftest %d\n", (int)sqrt(49.0)); return 0; }
C
probe() { # probe NAME WHY COMMAND...: PASS if COMMAND succeeds
	n=$1 why=$2; shift 2
	if "$@" >"$tmp/log" 2>&1; then pass "$n"; else fail "$n" "$why"; fi
}
# autoconf's own order: -qversion (gcc refuses it; autoconf goes on), then
# "checking whether the C compiler works": a link with no -o, into a.out.
"$CC" -qversion >/dev/null 2>&1 || :
probe probe-a.out "\$CC conftest.c (no -o) failed" "$CC" conftest.c
if [ -f a.out ] && [ -z "$(ls -d ./*atman* 2>/dev/null)" ]; then
	boot a.out
	if [ "$st" = 0 ] && has "conftest 7"; then pass probe-a.out-run; else
		cp "$tmp/out" "$tmp/log"; fail probe-a.out-run "a.out did not run (status $st)"; fi
else
	fail probe-a.out-run "no a.out, or stray files: $(ls)"
fi
probe probe-link "\$CC -o conftest conftest.c failed" "$CC" -o conftest conftest.c
boot conftest
if [ "$st" = 0 ] && has "conftest 7"; then pass probe-run; else
	cp "$tmp/out" "$tmp/log"; fail probe-run "conftest did not run (status $st)"; fi
# autoconf runs ./conftest on the build machine to tell whether it cross
# compiles; if that fails it stops ("cannot run C compiled programs").
# The image is a static x86_64 ELF whose musl runs on Linux too, as long
# as its segments' file offsets stay page-aligned (-z max-page-size=4096).
if ./conftest >"$tmp/log" 2>&1 && grep -qx "conftest 7" "$tmp/log"; then
	pass probe-native
else
	fail probe-native "./conftest does not run on the build machine"
fi
probe probe-compile "\$CC -c conftest.c failed" "$CC" -c conftest.c
[ -f conftest.o ] && "$CC" conftest.o -o conftest2 -lm >"$tmp/log" 2>&1 &&
	pass probe-link-object || fail probe-link-object "linking conftest.o failed"
printf '#include <stdio.h>\nATMAN __atman__ BUFSIZ\n' >cpp.c
if "$CC" -E cpp.c >cpp.out 2>"$tmp/log" && grep -q '^ATMAN 1 ' cpp.out &&
   grep -q 'x86_64-linux-musl/stdio.h' cpp.out; then
	pass probe-preprocess
else
	fail probe-preprocess "\$CC -E does not use musl's headers or define __atman__"
fi
probe probe-version "\$CC --version failed" "$CC" --version
probe probe-v "\$CC -v (no input) failed" "$CC" -v
printf 'char atman_no_such_function(void);\nint main(void) { return atman_no_such_function(); }\n' >missing.c
if "$CC" missing.c -o missing >"$tmp/log" 2>&1; then
	fail probe-missing-function "a call to a missing function linked"
else
	pass probe-missing-function
fi
printf 'int main(void) { return 0 }\n' >syntax.c
if "$CC" -c syntax.c >"$tmp/log" 2>&1; then fail probe-syntax-error "a syntax error compiled"
else pass probe-syntax-error; fi
probe probe-pthread "-pthread/-lpthread did not link" "$CC" -pthread conftest.c -o conftest3 -lpthread
# -o /dev/null, as build systems' probes link: the image is written into
# an output that is not a regular file, which stays what it was (atman-cc
# used to read it back and then remove it: as root, /dev/null itself).
# A FIFO of our own stands in, so that a failure takes nothing away.
mkfifo out.fifo && { cat out.fifo >fifo.got & }
reader=$!
if "$CC" -o out.fifo conftest.c >"$tmp/log" 2>&1 && wait "$reader" && [ -p out.fifo ] &&
   nm fifo.got 2>>"$tmp/log" | grep -q ' T main$'; then
	pass probe-output-not-a-file
else
	kill "$reader" 2>/dev/null
	fail probe-output-not-a-file "-o FIFO failed, or the FIFO was replaced, or no image came through"
fi

# ---- a real configure, made by Debian's autoconf ------------------------------
sysroot=$("$CC" --print-sysroot)
PKGC=$top/bin/atman-pkg-config
cat >guest.c <<'C'
/* crypt() of libxcrypt and zlib, both from the SDK */
#include <crypt.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
int main(void)
{
	char text[256] = "hello hello hello hello hello", back[256];
	unsigned char packed[256];
	uLongf plen = sizeof packed, blen = sizeof back;
	const char *h = crypt("Hello world!", "$6$saltstring");
	if (compress(packed, &plen, (unsigned char *)text, strlen(text) + 1) != Z_OK ||
	    uncompress((unsigned char *)back, &blen, packed, plen) != Z_OK)
		return 1;
	printf("guest %s %s\n", strcmp(text, back) ? "zlib-MISMATCH" : "zlib-ok",
	       h && strncmp(h, "$6$saltstring$svn8", 18) == 0 ? "crypt-ok" : "crypt-WRONG");
	return 0;
}
C
mkdir "$tmp/ac" && cp guest.c "$tmp/ac/" && cd "$tmp/ac" || exit 2
cat >configure.ac <<'AC'
AC_INIT([actest], [1.0])
AC_PROG_CC
AC_CHECK_HEADERS([crypt.h zlib.h], [], [AC_MSG_ERROR([a guest SDK header is missing])])
AC_CHECK_HEADER([gnu/libc-version.h], [AC_MSG_ERROR([a glibc header was found])])
AC_SEARCH_LIBS([crypt], [crypt], [], [AC_MSG_ERROR([no crypt])])
AC_CHECK_LIB([c_nonshared], [atexit], [AC_MSG_ERROR([glibc's libc_nonshared linked])])
AC_CHECK_FUNCS([clock_gettime getrandom])
PKG_CHECK_MODULES([ZLIB], [zlib])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
AC
printf 'guest: guest.c\n\t@CC@ @CFLAGS@ @ZLIB_CFLAGS@ -o $@ guest.c @ZLIB_LIBS@ @LIBS@\n' >Makefile.in
if ! autoreconf -fi >"$tmp/log" 2>&1; then
	fail autoconf "autoreconf failed (apt-get install autoconf automake pkg-config)"
elif ! ./configure CC="$CC" PKG_CONFIG="$PKGC" >"$tmp/log" 2>&1; then
	fail autoconf "./configure CC=atman-cc failed"
elif ! grep -q '^checking whether the C compiler works... yes' "$tmp/log" ||
     ! grep -q '^checking whether we are cross compiling... no' "$tmp/log" ||
     ! grep -q '^checking for library containing crypt... -lcrypt' "$tmp/log" ||
     ! grep -q '^checking for clock_gettime... yes' "$tmp/log" ||
     ! grep -q "^checking for atexit in -lc_nonshared... no" "$tmp/log"; then
	fail autoconf "configure did not see the compiler and the SDK as it should"
elif ! make >"$tmp/log" 2>&1; then
	fail autoconf "make of the configured project failed"
else
	boot guest
	if [ "$st" = 0 ] && has "guest zlib-ok crypt-ok"; then pass autoconf; else
		cp "$tmp/out" "$tmp/log"; fail autoconf "the configured program did not run right (status $st)"; fi
fi
cd "$tmp" || exit 2

# ---- the link flags of Linux build systems -------------------------------------
cat >flags.c <<'C'
#include <dlfcn.h>
#include <pthread.h>
#include <pty.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
static void *run(void *arg) { return arg; }
int main(int argc, char **argv)
{
	pthread_t t;
	void *r = NULL;
	struct timespec ts;
	/* Linked, never called: glibc has these in -ldl, -lutil, -lresolv, -lrt. */
	if (argc > 99) {
		dlopen(argv[1], RTLD_NOW);
		openpty(0, 0, 0, 0, 0);
		res_init();
		timer_create(CLOCK_MONOTONIC, 0, 0);
	}
	if (pthread_create(&t, NULL, run, argv[0]) || pthread_join(t, &r) || r != argv[0])
		return 1;
	printf("flags ok %d\n", clock_gettime(CLOCK_MONOTONIC, &ts));
	return 0;
}
C
# flag FLAG [WHAT -v MUST SAY] [NAME]: it links, the image runs. FLAG may
# be several words.
flag() {
	n=${3:-flag$1}
	if ! "$CC" -v -O2 $1 -o flagimg flags.c >/dev/null 2>"$tmp/log"; then
		fail "$n" "atman-cc $1 failed"
	elif [ -n "$2" ] && ! grep -qF -- "$2" "$tmp/log"; then
		fail "$n" "-v did not say: $2"
	else
		boot flagimg
		if [ "$st" = 0 ] && has "flags ok 0"; then pass "$n"; else
			cp "$tmp/out" "$tmp/log"; fail "$n" "the image did not run right (status $st)"; fi
	fi
}
for f in -rdynamic -Wl,-E -Wl,--export-dynamic; do
	flag "$f" "atman-cc: ignoring ${f#-Wl,}: a guest is one static image"
done
for f in -pie -fPIE -fPIC -fpic; do flag "$f" "atman-cc: ignoring $f: guests are static, non-PIE"; done
for f in -static -static-libgcc; do flag "$f" "atman-cc: ignoring $f: guests are always linked statically"; done
for f in relro now; do flag "-Wl,-z,$f" "atman-cc: ignoring -z $f: guests have no dynamic linker"; done
for f in -Wl,--as-needed -Wl,-O1 -Wl,--gc-sections; do flag "$f" "'$f'"; done
flag -flto "'-flto'"
flag -pthread "'-pthread'"
# musl has these in libc.a: the -l finds musl's (empty) archive.
for f in rt dl util resolv; do flag "-l$f" "/usr/lib/x86_64-linux-musl/lib$f.a"; done
# -fPIC really is dropped: no __PIC__ in the compile.
if "$CC" -fPIC -E -dM -x c /dev/null | grep -q '__PIC__'; then
	fail flag-fPIC-dropped "-fPIC still reached the compiler"
else
	pass flag-fPIC-dropped
fi
# Debian's own hardening flags (dpkg-buildflags), all at once.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
dflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get LDFLAGS)"
unset DEB_BUILD_MAINT_OPTIONS
flag "$dflags" "" flag-debian-hardening
# A plain make CC=atman-cc of a Makefile written for Linux.
mkdir "$tmp/mk" && cp flags.c "$tmp/mk/prog.c" &&
	printf 'LDFLAGS = -rdynamic -Wl,-O1 -Wl,-z,relro -Wl,-z,now -Wl,--as-needed\nLDLIBS = -lcrypt -lz -lpthread -ldl -lm\nprog: prog.o\n' >"$tmp/mk/Makefile"
if ! make -C "$tmp/mk" CC="$CC" >"$tmp/log" 2>&1; then
	fail make-rdynamic "make CC=atman-cc of a Makefile passing -rdynamic failed"
else
	boot "$tmp/mk/prog"
	if [ "$st" = 0 ] && has "flags ok 0"; then pass make-rdynamic; else
		cp "$tmp/out" "$tmp/log"; fail make-rdynamic "the image did not run right (status $st)"; fi
fi

# refuse NAME MESSAGE FLAG...: atman-cc fails and says MESSAGE.
refuse() {
	n=$1 m=$2
	shift 2
	if "$CC" "$@" >"$tmp/log" 2>&1; then
		fail "$n" "atman-cc $* succeeded"
	elif ! grep -qF -- "$m" "$tmp/log"; then
		fail "$n" "no message: $m"
	else
		pass "$n"
	fi
}
refuse refuse-shared "atman-cc: -shared: guests are static images" -shared -o libx.so flags.c
refuse refuse-Wl-shared "guests are static images" -Wl,-shared -o libx.so flags.c
refuse refuse-fsanitize "atman-cc: -fsanitize=address: sanitizers need a runtime" -fsanitize=address -o x flags.c
refuse refuse-fsanitize-c "atman-cc: -fsanitize=undefined: sanitizers need a runtime" -fsanitize=undefined -c flags.c

# ---- nothing of the build machine's C library ----------------------------------
mkdir -p "$tmp/nosdk/lib"
msg="atman-cc: -lcrypt: no guest library of that name (looked in $tmp/nosdk/lib /usr/lib/x86_64-linux-musl)"
if ATMAN_SYSROOT=$tmp/nosdk "$CC" -o x flags.c -lcrypt >"$tmp/log" 2>&1; then
	fail glibc-lcrypt "-lcrypt linked without a guest libcrypt (the build machine's?)"
elif ! grep -qxF "$msg" "$tmp/log"; then
	fail glibc-lcrypt "not the message: $msg"
else
	pass glibc-lcrypt
fi
export ATMAN_SYSROOT="$tmp/nosdk"
refuse glibc-L "atman-cc: -lcrypt: no guest library of that name" -o x flags.c \
	-L/usr/lib/x86_64-linux-gnu -L/lib/x86_64-linux-gnu -L/usr/lib -lcrypt
unset ATMAN_SYSROOT
refuse glibc-only "atman-cc: -lc_nonshared: no guest library of that name" -o x flags.c \
	-L/usr/lib/x86_64-linux-gnu -lc_nonshared
for f in /usr/lib/x86_64-linux-gnu/libc.a /usr/lib/x86_64-linux-gnu/libcrypt.a; do
	[ -f "$f" ] || continue
	refuse "glibc-file-$(basename "$f")" "is the build machine's library, not a guest's" -o x flags.c "$f"
done
printf '#include <stdio.h>\n#include <features.h>\n' >hdr.c
if "$CC" -I/usr/include -isystem /usr/include/x86_64-linux-gnu -idirafter/usr/local/include -E hdr.c >hdr.out 2>"$tmp/log" &&
   grep -q '"/usr/include/x86_64-linux-musl/stdio.h"' hdr.out &&
   ! grep -q '"/usr/include/stdio.h"\|"/usr/include/features.h"\|x86_64-linux-gnu/' hdr.out; then
	pass glibc-headers
else
	fail glibc-headers "-I/usr/include found the build machine's headers"
fi
printf '#include <gnu/libc-version.h>\n' >gnu.c
if "$CC" -I/usr/include -c gnu.c >"$tmp/log" 2>&1; then
	fail glibc-header-gnu "<gnu/libc-version.h> (glibc's alone) was found"
else
	pass glibc-header-gnu
fi
if [ ! -f flagimg ] || grep -q "GNU C Library" flagimg "$tmp/mk/prog" conftest 2>/dev/null; then
	fail glibc-image "an image holds glibc's version string"
else
	pass glibc-image
fi

# ---- what build systems ask the compiler --------------------------------------
if [ -f "$sysroot/lib/libz.a" ] && [ "$("$CC" -print-file-name=libz.a)" = "$sysroot/lib/libz.a" ] &&
   [ "$("$CC" -print-file-name=libc.a)" = /usr/lib/x86_64-linux-musl/libc.a ] &&
   [ "$("$CC" -dumpmachine)" = x86_64-linux-musl ] &&
   [ "$("$CC" -print-search-dirs | sed -n 's/^libraries: =//p')" = "$sysroot/lib:/usr/lib/x86_64-linux-musl" ]; then
	pass queries
else
	fail queries "--print-sysroot, -print-file-name, -dumpmachine or -print-search-dirs answered for the build machine"
fi

# ---- crypt() from the SDK (libxcrypt): SHA-512 known answers ------------------
cat >crypt.c <<'C'
#include <crypt.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	struct crypt_data d;
	const char *h = crypt("Hello world!", "$6$saltstring");
	printf("%s\n", h ? h : "(null)");
	memset(&d, 0, sizeof d);
	h = crypt_r("Hello world!", "$6$rounds=10000$saltstringsaltstring", &d);
	printf("%s\n", h ? h : "(null)");
	h = crypt_gensalt("$6$", 0, NULL, 0);
	printf("salt %s\n", h ? h : "(null)");
	return 0;
}
C
# The vectors of the SHA-crypt specification (Drepper), as glibc's tests.
kat1='$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'
kat2='$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.'
if ! "$CC" -O2 -o crypt crypt.c -lcrypt >"$tmp/log" 2>&1; then
	fail crypt "a program calling crypt() did not link with -lcrypt"
else
	boot crypt
	if [ "$st" = 0 ] && has "$kat1" && has "$kat2" && grep -qE '^salt \$6\$[./0-9A-Za-z]{16}$' "$tmp/out"; then
		pass crypt
	else
		cp "$tmp/out" "$tmp/log"; fail crypt "crypt() gave the wrong hash (status $st)"
	fi
fi

# ---- pkg-config for guests: the SDK's libraries only ---------------------------
mkdir -p "$tmp/hostpc"
printf 'Name: hostonly\nDescription: x\nVersion: 1\nLibs: -L/usr/lib/x86_64-linux-gnu -lhostonly\n' >"$tmp/hostpc/hostonly.pc"
got=$("$PKGC" --cflags --libs zlib 2>&1 | sed 's/ *$//')
n_sdk=$(ls "$sysroot/lib/pkgconfig" | wc -l)
if [ "$got" != "-I$sysroot/include -L$sysroot/lib -lz" ]; then
	fail pkg-config "zlib: '$got'"
elif PKG_CONFIG_PATH=$tmp/hostpc "$PKGC" --exists hostonly; then
	fail pkg-config "it found a package of PKG_CONFIG_PATH (the build machine's)"
elif ! PKG_CONFIG_PATH=$tmp/hostpc pkg-config --exists hostonly; then
	fail pkg-config "the build machine's pkg-config does not see the control package"
elif [ "$(PKG_CONFIG_PATH=$tmp/hostpc "$PKGC" --list-all | wc -l)" != "$n_sdk" ]; then
	fail pkg-config "--list-all is not the SDK's $n_sdk packages"
else
	pass pkg-config
fi

# ---- CMake with the toolchain file; Meson with the cross file ------------------
mkdir "$tmp/zproj"
cat >"$tmp/zproj/pack.c" <<'C'
#include <string.h>
#include <zlib.h>
int pack_roundtrip(const char *s)
{
	unsigned char packed[256], back[256];
	uLongf plen = sizeof packed, blen = sizeof back;
	return compress(packed, &plen, (const unsigned char *)s, strlen(s) + 1) == Z_OK &&
	       uncompress(back, &blen, packed, plen) == Z_OK && strcmp((char *)back, s) == 0;
}
C
cat >"$tmp/zproj/main.c" <<'C'
#include <stdio.h>
#include <zlib.h>
int pack_roundtrip(const char *s);
int main(void)
{
	printf("zproj zlib %s %s\n", ZLIB_VERSION, pack_roundtrip("abcabcabcabc") ? "ok" : "FAILED");
	return 0;
}
C
cat >"$tmp/zproj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(zproj C)
find_package(ZLIB REQUIRED)
message(STATUS "zproj: ZLIB ${ZLIB_INCLUDE_DIRS} ${ZLIB_LIBRARIES}")
add_executable(zproj main.c pack.c)
target_link_libraries(zproj ZLIB::ZLIB)
CM
printf "project('zproj', 'c')\nexecutable('zproj', 'main.c', 'pack.c', dependencies: dependency('zlib'))\n" >"$tmp/zproj/meson.build"
# cmake_zproj TOOLCHAIN DIR NAME: configure, build and run it.
cmake_zproj() {
	if ! cmake -DCMAKE_TOOLCHAIN_FILE="$1" -S "$tmp/zproj" -B "$2" >"$tmp/log" 2>&1; then
		fail "$3" "cmake with the toolchain file failed"
	elif ! grep -qxF -- "-- zproj: ZLIB $4/include $4/lib/libz.a" "$tmp/log"; then
		fail "$3" "find_package(ZLIB) did not find the SDK's zlib ($4)"
	elif ! cmake --build "$2" >"$tmp/log" 2>&1; then
		fail "$3" "cmake --build failed"
	else
		boot "$2/zproj"
		if [ "$st" = 0 ] && grep -qx 'zproj zlib 1\.[0-9.]* ok' "$tmp/out"; then pass "$3"; else
			cp "$tmp/out" "$tmp/log"; fail "$3" "the image did not run right (status $st)"; fi
	fi
}
cmake_zproj "$top/build/lib/toolchain.cmake" "$tmp/zproj/cmake" cmake "$sysroot"
if ! meson setup --cross-file "$top/build/lib/meson-cross.ini" "$tmp/zproj/meson" "$tmp/zproj" >"$tmp/log" 2>&1; then
	fail meson "meson setup with the cross file failed"
elif ! grep -q 'Run-time dependency zlib found: YES' "$tmp/log"; then
	fail meson "dependency('zlib') did not find the SDK's zlib"
elif ! ninja -C "$tmp/zproj/meson" >"$tmp/log" 2>&1; then
	fail meson "ninja failed"
else
	boot "$tmp/zproj/meson/zproj"
	if [ "$st" = 0 ] && grep -qx 'zproj zlib 1\.[0-9.]* ok' "$tmp/out"; then pass meson; else
		cp "$tmp/out" "$tmp/log"; fail meson "the image did not run right (status $st)"; fi
fi

# ---- atman-build-lib: what the SDK has -----------------------------------------
"$top/bin/atman-build-lib" --list >"$tmp/log" 2>&1
if grep -q '^zlib  *1:1\.' "$tmp/log" && grep -q '^libxcrypt  *1:4\.' "$tmp/log" &&
   ! "$top/bin/atman-build-lib" no-such-lib >/dev/null 2>&1; then
	pass build-lib
else
	fail build-lib "--list does not show zlib and libxcrypt built, or an unknown name did not fail"
fi

# ---- the program's own panic, printk and page_alloc ---------------------------
cat >own.c <<'C'
#include <stdio.h>
#include <stdlib.h>
/* The kernel has functions with these names; ours must win for us and
 * the kernel must keep its own. */
void panic(const char *why) { printf("own panic: %s\n", why); }
int printk(const char *msg) { return printf("own printk: %s\n", msg); }
void *page_alloc(void) { return malloc(4096); }
/* The kernel without the network reaches this name weakly (a part left
 * out): it must stay NULL there, never become ours. */
void net_boot(void) { printf("own net_boot, called by the kernel\n"); }
int main(int argc, char **argv)
{
	panic("not really");
	printk("hello");
	printf("own page_alloc: %s\n", page_alloc() ? "ok" : "NULL");
	if (argc > 1) /* crash: the kernel's report uses its own printk */
		return *(volatile int *)argv[2];
	return 0;
}
C
if ! "$CC" -O2 -o own own.c >"$tmp/log" 2>&1; then
	fail own-names "a program defining panic, printk, page_alloc does not link"
else
	boot own
	if [ "$st" = 0 ] && has "own panic: not really" && has "own printk: hello" &&
	   has "own page_alloc: ok" && ! grep -q 'own net_boot' "$tmp/out"; then
		pass own-names
	else
		cp "$tmp/out" "$tmp/log"; fail own-names "it did not run right (status $st)"
	fi
	boot own crash
	if [ "$st" = 139 ] && grep -q '^atman: crash: page fault' "$tmp/out" &&
	   grep -q '^in main+0x' "$tmp/out" && [ "$(grep -c '^own printk' "$tmp/out")" = 1 ]; then
		pass own-names-kernel
	else
		cp "$tmp/out" "$tmp/log"
		fail own-names-kernel "the kernel's crash report did not use its own printk (status $st)"
	fi
fi

# ---- -s (or strip): smaller, and crash reports still name functions ----------
cat >crash.c <<'C'
#include <stdio.h>
__attribute__((noinline)) int f(volatile int *p) { return *p; }
int main(void) { printf("%d\n", f(NULL)); return 0; }
C
if "$CC" -s -O2 -o crash crash.c >"$tmp/log" 2>&1; then
	boot crash
	if [ "$st" = 139 ] && grep -q '^in f+0x0 ' "$tmp/out" && grep -q '^  #1 main+0x' "$tmp/out"; then
		pass strip
	else
		cp "$tmp/out" "$tmp/log"; fail strip "no symbolized crash report from a -s image (status $st)"
	fi
else
	fail strip "atman-cc -s failed"
fi

# ---- -v shows the commands ---------------------------------------------------
"$CC" -v -O2 -o conftest4 conftest.c >/dev/null 2>"$tmp/log"
if [ "$(grep -c 'guest\.lds.*atman\.o' "$tmp/log")" = 2 ] && grep -q -- '-nostdinc' "$tmp/log" &&
   [ -f conftest4 ]; then
	pass verbose
else
	fail verbose "-v did not show the compile and both link commands"
fi
# A warning of a source compiled in a link is shown, once (the link runs
# twice), also when stderr is a file.
printf 'int main(void) { int *p = 0; char c = p; return c; }\n' >warn.c
"$CC" -o warn warn.c >/dev/null 2>"$tmp/log"
if [ "$(grep -c 'warning: initialization of' "$tmp/log")" = 1 ]; then
	pass warnings-once
else
	fail warnings-once "the compiler's warning was not shown exactly once"
fi

# ---- make install, then use it from elsewhere --------------------------------
mk="make -C $top"
if ! $mk install PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
	fail install "make install failed"
else
	P=$tmp/prefix
	mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" &&
	cp "$top/examples/hello.c" "$tmp/crypt.c" "$tmp/guest.c" . &&
	"$P/bin/atman-cc" -v -O2 -o hello hello.c >/dev/null 2>"$tmp/log"
	if [ ! -f hello ]; then
		fail install "the installed atman-cc did not build hello.c"
	elif grep -qF "$top" "$tmp/log"; then
		fail install "the installed atman-cc used the source tree"
	else
		boot hello
		if [ "$st" = 0 ] && has "Hello from hello, a Xen unikernel!"; then
			pass install
		else
			cp "$tmp/out" "$tmp/log"; fail install "hello did not run (status $st)"
		fi
	fi
	# The installed SDK: crypt and zlib, their pkg-config, the toolchain file.
	isys=$P/lib/atman/sysroot
	if [ "$("$P/bin/atman-cc" --print-sysroot)" != "$isys" ]; then
		fail install-sdk "the installed atman-cc's sysroot is not $isys"
	elif ! "$P/bin/atman-cc" -v -O2 -o guest guest.c -lcrypt -lz >/dev/null 2>"$tmp/log" ||
	     grep -qF "$top" "$tmp/log"; then
		fail install-sdk "the installed SDK did not link -lcrypt -lz, or used the tree"
	else
		boot guest
		if [ "$st" = 0 ] && has "guest zlib-ok crypt-ok"; then pass install-sdk; else
			cp "$tmp/out" "$tmp/log"; fail install-sdk "crypt and zlib from the installed SDK (status $st)"; fi
	fi
	got=$("$P/bin/atman-pkg-config" --cflags --libs zlib 2>&1 | sed 's/ *$//')
	if [ "$got" = "-I$isys/include -L$isys/lib -lz" ] &&
	   [ "$(PKG_CONFIG_LIBDIR=$isys/lib/pkgconfig pkg-config --variable=prefix zlib)" = "$isys" ] &&
	   ! grep -rIqF "$top" "$P"; then
		pass install-pkg-config
	else
		fail install-pkg-config "pkg-config of the installed SDK: '$got', or a text file names the tree"
	fi
	cmake_zproj "$P/lib/atman/toolchain.cmake" "$tmp/elsewhere/cmake" install-cmake "$isys"
	# The installed atman-build-lib builds into the installed SDK (zlib
	# again: quick, and its source is in the cache already).
	rm -f "$isys/lib/libz.a"
	if ! "$P/bin/atman-build-lib" zlib >"$tmp/log" 2>&1 || [ ! -f "$isys/lib/libz.a" ] ||
	   ! "$P/bin/atman-build-lib" --list | grep -q '^zlib  *1:1\.'; then
		fail install-build-lib "the installed atman-build-lib did not rebuild zlib into $isys"
	elif ! "$P/bin/atman-cc" -O2 -o guest2 guest.c -lcrypt -lz >"$tmp/log" 2>&1; then
		fail install-build-lib "the rebuilt zlib does not link"
	else
		pass install-build-lib
	fi
	cd "$tmp" || exit 2
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
