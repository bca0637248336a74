/*
 * Grant tables, v1: how another domain (a backend) gets to map one of
 * our pages. The table is an array of 8-byte entries {flags, domid,
 * frame} in frames Xen shares with us; entry N is grant reference N. We
 * write an entry's domid and frame, then the flags that make it valid;
 * while the other domain maps the page, Xen keeps GTF_reading and
 * GTF_writing set in the flags. References come from a free list kept in
 * our own memory, beside the shared table, never inside it.
 *
 * A grant the other domain still maps cannot be revoked: gnttab_revoke
 * says -EBUSY and the caller keeps the page until it can be revoked, so
 * a page never goes back to the allocator while another domain can
 * write it.
 *
 * PVH maps the frames into our physical address space with
 * XENMEM_add_to_physmap (XENMAPSPACE_grant_table), over pages of our own
 * .bss, as shared_info is; a classic PV guest asks for their frame
 * numbers with GNTTABOP_setup_table and maps them there instead
 * (xen_frame_ops).
 */
#include <errno.h>

#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"
#include "kern/lock.h"

/* 2048 references: the rings and buffers of a netfront and a blkfront. */
#define GNTTAB_FRAMES	4
#define REFS_PER_FRAME	(PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTAB_REFS_MAX (GNTTAB_FRAMES * REFS_PER_FRAME)
#define REF_END		0 /* ends the free list: ref 0 is reserved */

static grant_entry_v1_t frames[GNTTAB_REFS_MAX]
	__attribute__((aligned(PAGE_SIZE)));

static struct irq_lock gnttab_lock = IRQ_LOCK_INIT("gnttab");
static grant_entry_v1_t *table; /* NULL: no grant table */
static uint32_t nrefs, nfree;
static unsigned nframes;
static grant_ref_t free_head = REF_END;
static grant_ref_t free_next[GNTTAB_REFS_MAX];
static bool granted[GNTTAB_REFS_MAX]; /* handed out, not yet revoked */

void gnttab_attach(grant_entry_v1_t *t, uint32_t n)
{
	kassert(n <= GNTTAB_REFS_MAX);
	unsigned long f = irq_lock(&gnttab_lock);
	table = t;
	nrefs = n;
	nfree = 0;
	free_head = REF_END;
	memset(granted, 0, sizeof(granted));
	/* The first GNTTAB_NR_RESERVED_ENTRIES belong to the toolstack
	 * (the console's and xenstore's pages): never handed out. Pushed
	 * highest first, so the lowest free reference comes out first. */
	for (grant_ref_t ref = n; ref-- > GNTTAB_NR_RESERVED_ENTRIES;) {
		free_next[ref] = free_head;
		free_head = ref;
		nfree++;
	}
	irq_unlock(&gnttab_lock, f);
}

int gnttab_init(void)
{
	uint32_t cur, max;
	long r = gnttab_query_size(&cur, &max);
	if (r)
		return (int)r;
	unsigned n = MIN(GNTTAB_FRAMES, max);
	if (!n)
		return -ENODEV;
	/* v1 is Xen's default; asking makes sure nobody switched to v2
	 * (which is only allowed while no grant is active). */
	r = gnttab_set_version(1);
	if (r && r != -ENOSYS)
		return (int)r;
	int mapped = xen_frame_ops->map_gnttab(frames, n);
	if (mapped < 0)
		return mapped;
	n = mapped; /* fewer frames, fewer references */
	nframes = n;
	gnttab_attach(frames, n * REFS_PER_FRAME);
	return 0;
}

void gnttab_banner(void)
{
	if (table)
		printk("  grant table: %u frames, %u refs\n", nframes, nrefs);
	else
		printk("  grant table: none\n");
}

uint32_t gnttab_free_count(void)
{
	return nfree;
}

int gnttab_grant(domid_t dom, uint64_t gfn, bool readonly, grant_ref_t *out)
{
	if (gfn > UINT32_MAX)
		return -EINVAL; /* more than a v1 entry's frame holds */
	unsigned long f = irq_lock(&gnttab_lock);
	grant_ref_t ref = free_head;
	if (!table || ref == REF_END) {
		irq_unlock(&gnttab_lock, f);
		return table ? -ENOSPC : -ENODEV;
	}
	free_head = free_next[ref];
	nfree--;
	granted[ref] = true;
	irq_unlock(&gnttab_lock, f);

	grant_entry_v1_t *e = &table[ref];
	e->domid = dom;
	e->frame = (uint32_t)gfn;
	/* domid and frame before the flags that make the entry valid: the
	 * other domain may map the page the moment GTF_permit_access shows,
	 * and must find the right frame for the right domain there. */
	__atomic_store_n(&e->flags,
			 GTF_permit_access | (readonly ? GTF_readonly : 0),
			 __ATOMIC_RELEASE);
	*out = ref;
	return 0;
}

int gnttab_grant_page(domid_t dom, const void *page, bool readonly,
		      grant_ref_t *ref)
{
	return gnttab_grant(dom, xen_frame_ops->gfn((uintptr_t)page), readonly,
			    ref);
}

int gnttab_revoke(grant_ref_t ref)
{
	unsigned long f = irq_lock(&gnttab_lock);
	bool ok = table && ref < nrefs && granted[ref];
	irq_unlock(&gnttab_lock, f);
	if (!ok)
		return -EINVAL;
	grant_entry_v1_t *e = &table[ref];
	uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY; /* mapped: the caller keeps the page */
		/* Xen marks a mapping with its own compare-exchange on the
		 * flags, so exactly one of us wins: if our exchange to 0
		 * succeeds, no mapping began since we looked, and none can
		 * begin from now on. If Xen won, look again. */
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_ACQUIRE));
	f = irq_lock(&gnttab_lock);
	granted[ref] = false;
	free_next[ref] = free_head;
	free_head = ref;
	nfree++;
	irq_unlock(&gnttab_lock, f);
	return 0;
}
