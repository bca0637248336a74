/* plat/xen/gnttab.c: the free list of grant references and revocation,
 * on a table in host memory. The test plays Xen's part: it sets
 * GTF_reading/GTF_writing in an entry, as Xen does while the other
 * domain maps the page. gnttab_init (hypercalls) is linked, not run. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "kern/kern.h"
#include "plat/xen/xen_guest.h"
#include "tests/unit/test.h"

/* --- what gnttab.c links against --- */
char hypercall_page[4096];
static uint64_t test_gfn(uintptr_t pa)
{
	return pa >> 12; /* as under PVH: the physical frame */
}
static const struct xen_frame_ops test_frame_ops = { .gfn = test_gfn };
const struct xen_frame_ops *xen_frame_ops = &test_frame_ops;

noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void console_kwrite(const char *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
}

/* --- the cases --- */

#define NREFS 64 /* 8 reserved, 56 to hand out */
static grant_entry_v1_t table[NREFS];

static void setup(void)
{
	memset(table, 0, sizeof(table));
	gnttab_attach(table, NREFS);
}

static const uint16_t MAPPED_R = GTF_reading, MAPPED_W = GTF_writing;

static void grant_fills_the_entry(void)
{
	setup();
	grant_ref_t ro, rw;
	CHECK_EQ(gnttab_free_count(), NREFS - GNTTAB_NR_RESERVED_ENTRIES);
	CHECK_EQ(gnttab_grant(3, 0x1234, true, &ro), 0);
	CHECK_EQ(ro, GNTTAB_NR_RESERVED_ENTRIES); /* the first not reserved */
	CHECK_EQ(table[ro].domid, 3);
	CHECK_EQ(table[ro].frame, 0x1234);
	CHECK_EQ(table[ro].flags, GTF_permit_access | GTF_readonly);
	CHECK_EQ(gnttab_grant_page(0, (void *)0x56789abcUL, false, &rw), 0);
	CHECK(rw != ro);
	CHECK_EQ(table[rw].domid, 0);
	CHECK_EQ(table[rw].frame, 0x56789);
	CHECK_EQ(table[rw].flags, GTF_permit_access);
	CHECK_EQ(gnttab_free_count(), NREFS - GNTTAB_NR_RESERVED_ENTRIES - 2);
	/* The reserved entries (the toolstack's) were never touched. */
	for (int i = 0; i < GNTTAB_NR_RESERVED_ENTRIES; i++)
		CHECK_EQ(table[i].flags, 0);
}

static void free_list_runs_out_and_refills(void)
{
	setup();
	static bool seen[NREFS];
	memset(seen, 0, sizeof(seen));
	grant_ref_t ref, refs[NREFS];
	int n = 0;
	while (gnttab_grant(1, 100 + n, false, &ref) == 0) {
		CHECK(ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < NREFS);
		CHECK(!seen[ref % NREFS]);
		seen[ref % NREFS] = true;
		refs[n++] = ref;
		if (n > NREFS)
			break;
	}
	CHECK_EQ(n, NREFS - GNTTAB_NR_RESERVED_ENTRIES);
	CHECK_EQ(gnttab_grant(1, 7, false, &ref), -ENOSPC);
	CHECK_EQ(gnttab_free_count(), 0);
	/* One back: it is the next one out. */
	CHECK_EQ(gnttab_revoke(refs[10]), 0);
	CHECK_EQ(table[refs[10]].flags, 0);
	CHECK_EQ(gnttab_free_count(), 1);
	CHECK_EQ(gnttab_grant(2, 9, true, &ref), 0);
	CHECK_EQ(ref, refs[10]);
	CHECK_EQ(table[ref].domid, 2);
	CHECK_EQ(table[ref].frame, 9);
	/* All back. */
	for (int i = 0; i < n; i++)
		CHECK_EQ(gnttab_revoke(refs[i]), 0);
	CHECK_EQ(gnttab_free_count(), NREFS - GNTTAB_NR_RESERVED_ENTRIES);
}

/* The backend maps the page (Xen sets GTF_reading or GTF_writing): the
 * grant stays, the reference stays out of the free list, and the
 * caller is told to keep the page. Once unmapped, it goes. */
static void revoke_while_mapped(void)
{
	const uint16_t how[] = { MAPPED_R, MAPPED_W, MAPPED_R | MAPPED_W };
	for (size_t i = 0; i < ARRAY_SIZE(how); i++) {
		setup();
		grant_ref_t ref;
		CHECK_EQ(gnttab_grant(0, 0x42, false, &ref), 0);
		uint32_t left = gnttab_free_count();
		table[ref].flags |= how[i];
		CHECK_EQ(gnttab_revoke(ref), -EBUSY);
		CHECK_EQ(table[ref].flags, GTF_permit_access | how[i]);
		CHECK_EQ(table[ref].frame, 0x42);
		CHECK_EQ(gnttab_free_count(), left);
		CHECK_EQ(gnttab_revoke(ref), -EBUSY); /* and again */
		/* Another grant cannot get the reference meanwhile. */
		grant_ref_t other;
		CHECK_EQ(gnttab_grant(0, 0x43, false, &other), 0);
		CHECK(other != ref);
		table[ref].flags &= ~how[i]; /* the backend unmapped it */
		CHECK_EQ(gnttab_revoke(ref), 0);
		CHECK_EQ(table[ref].flags, 0);
		CHECK_EQ(gnttab_free_count(), left);
	}
}

static void revoke_what_was_never_granted(void)
{
	setup();
	grant_ref_t ref;
	for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++)
		CHECK_EQ(gnttab_revoke(r), -EINVAL);
	CHECK_EQ(gnttab_revoke(NREFS), -EINVAL);
	CHECK_EQ(gnttab_revoke(UINT32_MAX), -EINVAL);
	CHECK_EQ(gnttab_revoke(GNTTAB_NR_RESERVED_ENTRIES), -EINVAL);
	CHECK_EQ(gnttab_grant(0, 1, false, &ref), 0);
	CHECK_EQ(gnttab_revoke(ref), 0);
	CHECK_EQ(gnttab_revoke(ref), -EINVAL); /* twice */
	CHECK_EQ(gnttab_free_count(), NREFS - GNTTAB_NR_RESERVED_ENTRIES);
}

static void bad_grants(void)
{
	setup();
	grant_ref_t ref = 77;
	CHECK_EQ(gnttab_grant(0, 1ULL << 32, false, &ref), -EINVAL);
	CHECK_EQ(ref, 77);
	gnttab_attach(NULL, 0);
	CHECK_EQ(gnttab_grant(0, 1, false, &ref), -ENODEV);
	CHECK_EQ(gnttab_revoke(GNTTAB_NR_RESERVED_ENTRIES), -EINVAL);
	CHECK_EQ(ref, 77);
}

int main(int argc, char **argv)
{
	test_init("gnttab", argc, argv);
	RUN(grant_fills_the_entry);
	RUN(free_list_runs_out_and_refills);
	RUN(revoke_while_mapped);
	RUN(revoke_what_was_never_granted);
	RUN(bad_grants);
	return test_summary();
}
