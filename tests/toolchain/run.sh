#!/bin/sh
# tests/toolchain/run.sh — the promises bin/atman-cc makes (issue 2),
# each a PASS or FAIL line; exits 1 if any failed. Guests run under QEMU
# alone (bin/atman run --qemu), so no box is needed. Takes ~30 s.
#
#   make:      make CC=bin/atman-cc builds examples/multifile (-c, then
#              a link with -lm) and the image runs
#   probe:     what autoconf does: $CC conftest.c -o conftest, -c, -E,
#              --version, -v; a missing function fails to link; and
#              ./conftest runs on the build machine (not cross compiling)
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
probe probe-link "\$CC conftest.c -o conftest failed" "$CC" conftest.c -o conftest
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
grep -q 'tools/install.mk' "$top/Makefile" ||
	mk="$mk -f Makefile -f tools/install.mk" # until the Makefile includes it
if ! $mk install PREFIX="$tmp/prefix" >"$tmp/log" 2>&1; then
	fail install "make install failed"
else
	mkdir "$tmp/elsewhere" && cd "$tmp/elsewhere" &&
	cp "$top/examples/hello.c" . &&
	"$tmp/prefix/bin/atman-cc" -v -O2 -o hello hello.c >/dev/null 2>"$tmp/log"
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
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
