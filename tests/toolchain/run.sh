#!/bin/sh
# tests/toolchain/run.sh — the promises bin/atman-cc and the guest SDK make
# (issues 2 and 12), each a PASS or FAIL line; exits 1 if any failed.
# Guests run under QEMU alone (bin/atman run --qemu), so no box is needed.
# Needs `make` first. Takes ~20 s.
#
#   make:      make CC=bin/atman-cc builds examples/multifile (-c, then
#              a link with -lm) and the image runs
#   probe:     what autoconf does: $CC -qversion, $CC conftest.c (a.out,
#              no -o), -o conftest, -c, -E, --version, -v; a missing
#              function fails to link; ./conftest runs on the build
#              machine (not cross compiling)
#   flag-*:    the link flags Linux build systems pass (-rdynamic, -pie,
#              -Wl,-z,relro, -flto, -lrt, ...): each links and the image
#              runs; -v says why an ignored one is ignored
#   refuse-*:  -shared and -fsanitize= fail with a clear message
#   glibc-*:   no -l, -L, -I or file brings the build machine's (glibc's)
#              libraries or headers into a guest
#   queries:   --print-sysroot, -print-search-dirs, -print-file-name=,
#              -dumpmachine answer for guests
#   own-names: a program defining panic, printk and page_alloc links and
#              its own functions run (the kernel's names are local)
#   strip:     a -s image still gives symbolized crash reports
#   verbose:   -v shows the commands
#   install:   make install PREFIX=...; that atman-cc works from elsewhere
#              and uses nothing of this tree
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

sysroot=$("$CC" --print-sysroot)

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
	printf 'LDFLAGS = -rdynamic -Wl,-O1 -Wl,-z,relro -Wl,-z,now -Wl,--as-needed\nLDLIBS = -lpthread -ldl -lm\nprog: prog.o\n' >"$tmp/mk/Makefile"
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
if [ "$sysroot" = "$top/build/lib/sysroot" ] &&
   [ "$("$CC" -print-file-name=libc.a)" = /usr/lib/x86_64-linux-musl/libc.a ] &&
   [ "$("$CC" -dumpmachine)" = x86_64-linux-musl ] &&
   [ "$("$CC" -print-search-dirs | sed -n 's/^libraries: =//p')" = "$sysroot/lib:/usr/lib/x86_64-linux-musl" ]; then
	pass queries
else
	fail queries "--print-sysroot, -print-file-name, -dumpmachine or -print-search-dirs answered for the build machine"
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
	   has "own page_alloc: ok"; then
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
if grep -q 'guest\.lds' "$tmp/log" && grep -q -- '-nostdinc' "$tmp/log" &&
   grep -q 'atman\.o' "$tmp/log" && [ -f conftest4 ]; then
	pass verbose
else
	fail verbose "-v did not show the compile and link commands"
fi

# ---- make install, then use it from elsewhere --------------------------------
mk="make -C $top"
if ! $mk install PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
	fail install "make install failed"
else
	P=$tmp/prefix
	mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" &&
	cp "$top/examples/hello.c" . &&
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
	cd "$tmp" || exit 2
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
