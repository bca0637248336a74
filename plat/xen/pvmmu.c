/*
 * Page tables of a classic Xen PV guest (struct paging_ops, arch.h). The
 * tables hold machine frames and are read-only to us: every write is a
 * request to Xen (mmu_update), which checks it. The kernel still sees
 * entries with pseudo-physical frames, as under PVH: this file
 * translates, through the P2M one way and its inverse the other (p2m.c).
 *
 * Writes queue up and go to Xen in one mmu_update when paging_commit
 * comes (or the queue is full), the TLB invalidations after them in one
 * mmuext_op; a read sees what the queue will write. Two rules Xen
 * enforces shape the rest: a page that is a page table may be mapped
 * read-only only (so a new table is made read-only in the identity map
 * before it is linked, and writable again after it is unlinked), and a
 * 64-bit PV guest has a second top-level table for user mode (set with
 * MMUEXT_NEW_USER_BASEPTR): ours maps the same lower half, one address
 * space as under PVH, and every write to a top-level entry goes to both.
 *
 * RAM is identity-mapped as it is natively: the boot tables Xen built
 * (start_info's pt_base, 4 KiB pages from 0 to a 4 MiB boundary past the
 * bootstrap region) become ours, the image is given its protections and
 * the rest of RAM is mapped above them. A new table always comes from a
 * page mapped already (pages are handed out from just past the bootstrap
 * region up, and each table maps 2 MiB), so it can be zeroed.
 */
#include <errno.h>

#include "xen_guest.h"
#include "arch.h"
#include "kern/kern.h"

#define QMAX   128 /* queued entry writes */
#define INVMAX 32  /* queued invalidations; past that, flush all */
/* Top-level entries below Xen's area: ours (the lower half). */
#define L4_ENTRIES ((HYPERVISOR_VIRT_START >> 39) & 511)
/* What a present entry keeps when read back: the architectural flags,
 * not Xen's software bits (bit 52 marks guest kernel pages). */
#define PTE_KEEP (PTE_ADDR | PTE_NX | 0x7fUL)

static pte_t *l4, *l4_user;
static struct mmu_update q[QMAX];
static unsigned nq;
static uint64_t qlo, qhi; /* the lowest and highest ptr queued */
static struct mmuext_op inv[INVMAX];
static unsigned ninv;
static bool inv_all;

void pvmmu_setup(uintptr_t pt_base)
{
	l4 = (pte_t *)pt_base;
}

uint64_t pv_pfn_to_mfn(uint64_t pfn)
{
	return p2m_mfn(pfn);
}

/* Our own frames only (a foreign frame gives a pfn past our memory).
 * Until p2m.c's inverse is built (early boot, in guest kernel mode),
 * Xen's M2P table answers. */
uint64_t pv_mfn_to_pfn(uint64_t mfn)
{
	uint64_t pfn;
	if (!m2p_runs())
		return machine_to_phys_mapping[mfn];
	return m2p_pfn(mfn, &pfn) ? pfn : PTE_ADDR >> PAGE_SHIFT;
}

/*
 * An entry in the machine's terms and back. A present entry's frame is
 * translated; a PROT_NONE page's kept frame (not present) is stored
 * inverted, so that no CPU that speculates through non-present entries
 * (L1TF) finds a real address there, which Xen would refuse.
 */
static pte_t to_machine(pte_t e)
{
	if (e & PTE_P)
		return (e & ~PTE_ADDR) |
		       pv_pfn_to_mfn((e & PTE_ADDR) >> PAGE_SHIFT)
			       << PAGE_SHIFT;
	if (e & PTE_FRAME)
		return (e & ~PTE_ADDR) | (~e & PTE_ADDR);
	return e;
}

static pte_t from_machine(pte_t m)
{
	if (m & PTE_P)
		return (m & PTE_KEEP & ~PTE_ADDR) |
		       ((pv_mfn_to_pfn((m & PTE_ADDR) >> PAGE_SHIFT)
			 << PAGE_SHIFT) &
			PTE_ADDR);
	if (m & PTE_FRAME)
		return (m & ~PTE_ADDR) | (~m & PTE_ADDR);
	return m;
}

/* The machine address of an entry (inside an identity-mapped table). */
static uint64_t maddr_of(const pte_t *e)
{
	uintptr_t va = (uintptr_t)e;
	return pv_pfn_to_mfn(va >> PAGE_SHIFT) << PAGE_SHIFT |
	       (va & (PAGE_SIZE - 1));
}

static void pv_commit(void)
{
	unsigned done = 0;
	if (nq && pv_mmu_update(q, nq, &done))
		panic("Xen refused page-table write %u of %u: %#lx at %#lx",
		      done, nq, q[done].val, q[done].ptr);
	nq = 0;
	/* After the writes: what the TLB may hold of the old entries. */
	if (inv_all) {
		struct mmuext_op all = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
		pv_mmuext_op(&all, 1);
	} else if (ninv && pv_mmuext_op(inv, ninv)) {
		panic("Xen refused %u TLB invalidations", ninv);
	}
	ninv = 0;
	inv_all = false;
}

/* Queue "*e = m" (m in machine terms). */
static void queue(pte_t *e, pte_t m)
{
	if (nq == QMAX)
		pv_commit();
	uint64_t ptr = maddr_of(e) | MMU_NORMAL_PT_UPDATE;
	if (!nq || ptr < qlo)
		qlo = ptr;
	if (!nq || ptr > qhi)
		qhi = ptr;
	q[nq++] = (struct mmu_update){ .ptr = ptr, .val = m };
}

static void queue_inval(uintptr_t va)
{
	if (ninv == INVMAX)
		inv_all = true;
	else
		inv[ninv++] = (struct mmuext_op){
			.cmd = MMUEXT_INVLPG_LOCAL,
			.arg1.linear_addr = va,
		};
}

/* What *e holds once the queue is committed. */
static pte_t pending(const pte_t *e)
{
	uint64_t ptr = maddr_of(e) | MMU_NORMAL_PT_UPDATE;
	if (!nq || ptr < qlo || ptr > qhi)
		return *e; /* the usual case: mapping a range going up */
	for (unsigned i = nq; i--;)
		if (q[i].ptr == ptr)
			return q[i].val;
	return *e;
}

/* A top-level entry goes to both top-level tables. */
static void queue_upper(pte_t *t, unsigned i, pte_t m)
{
	queue(&t[i], m);
	if (t == l4 && l4_user)
		queue(&l4_user[i], m);
}

static pte_t *walk(uintptr_t va, bool create);

/* A zeroed page becomes the table under t[i]: read-only in the identity
 * map, then linked (Xen checks it then), committed at once because
 * walks read the upper levels straight from memory. */
static pte_t new_table(pte_t *t, unsigned i)
{
	uintptr_t pa = page_alloc();
	if (!pa)
		return 0;
	pte_t *id = walk(pa, false);
	kassert(id); /* RAM is mapped before any table comes from it */
	queue(id, to_machine(pa | PTE_P | paging_nx()));
	queue_inval(pa);
	pte_t m = to_machine(pa | PTE_P | PTE_W | PTE_U);
	queue_upper(t, i, m);
	pv_commit();
	return m;
}

/* va's entry in its last-level table (read-only to us), making the
 * tables on the way if create. NULL in the upper half: Xen's. */
static pte_t *walk(uintptr_t va, bool create)
{
	if (va >> 47)
		return NULL;
	pte_t *t = l4;
	for (int shift = 39; shift > 12; shift -= 9) {
		unsigned i = (va >> shift) & 511;
		pte_t m = t[i];
		if (!(m & PTE_P) && (!create || !(m = new_table(t, i))))
			return NULL;
		t = (pte_t *)(from_machine(m) & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

static pte_t pv_get(uintptr_t va)
{
	pte_t *e = walk(va, false);
	return e ? from_machine(pending(e)) : 0;
}

static int pv_set(uintptr_t va, pte_t pte)
{
	/* Every write to the tables goes through the hypercall page: it
	 * must never be left unmapped or non-executable, even queued. */
	kassert(va != (uintptr_t)hypercall_page ||
		(pte & (PTE_P | PTE_NX)) == PTE_P);
	pte_t *e = walk(va, true);
	if (!e)
		return -ENOMEM;
	pte_t old = pending(e);
	queue(e, to_machine(pte));
	if (old & PTE_P)
		queue_inval(va);
	return 0;
}

/* Map machine frame mfn (not ours: shared_info, grant frames) at va. */
int pvmmu_map_mfn(uintptr_t va, uint64_t mfn, uint64_t flags)
{
	pte_t *e = walk(va, true);
	if (!e)
		return -ENOMEM;
	bool was = pending(e) & PTE_P;
	queue(e, mfn << PAGE_SHIFT | PTE_P | flags);
	if (was)
		queue_inval(va);
	pv_commit();
	return 0;
}

/* As paging.c's prune. A table page leaves the tables in one batch:
 * unlinked (it stops being a table for Xen), then writable again, and
 * only then given back, as the page allocator writes into it. */
static bool prune(pte_t *t, int shift, uintptr_t start, uintptr_t end)
{
	uintptr_t span = 1UL << shift;
	bool freed = false;
	for (uintptr_t va = start; va < end;) {
		uintptr_t next = ALIGN_DOWN(va, span) + span;
		unsigned i = (va >> shift) & 511;
		if (t[i] & PTE_P) {
			pte_t *sub = (pte_t *)(from_machine(t[i]) & PTE_ADDR);
			bool check = shift == 21 ||
				     prune(sub, shift - 9, va, MIN(next, end));
			if (check && paging_table_empty(sub)) {
				queue_upper(t, i, 0);
				queue_inval(va);
				queue(walk((uintptr_t)sub, false),
				      to_machine((uintptr_t)sub | PTE_P |
						 PTE_W | paging_nx()));
				pv_commit();
				page_free((uintptr_t)sub);
				freed = true;
			}
		}
		if (next < va)
			break;
		va = next;
	}
	return freed;
}

static void pv_prune(uintptr_t start, uintptr_t end)
{
	pv_commit(); /* the tables as they are, in memory */
	prune(l4, 39, start, end);
}

static int pv_map_phys(uint64_t paddr, size_t len, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(paddr, PAGE_SIZE); va < paddr + len;
	     va += PAGE_SIZE)
		if (pv_set(va, va | PTE_P | flags))
			return -1;
	pv_commit();
	return 0;
}

#define L1_SPAN (512 * PAGE_SIZE) /* what one last-level table maps */

/* Map [va, va + L1_SPAN) (aligned, under no last-level table yet) with
 * a table filled while it is still an ordinary page of ours: 512 plain
 * stores, then one update links it and Xen checks it whole, where 512
 * queued updates would each be checked (the boot's biggest cost in the
 * box). False if there is a table there already: entry by entry. */
static bool map_table(uintptr_t va, uint64_t flags)
{
	pte_t *t = l4;
	for (int shift = 39; shift > 21; shift -= 9) {
		unsigned i = (va >> shift) & 511;
		pte_t m = t[i];
		if (!(m & PTE_P) && !(m = new_table(t, i)))
			panic("out of memory building page tables");
		t = (pte_t *)(from_machine(m) & PTE_ADDR);
	}
	unsigned i = (va >> 21) & 511;
	if (pending(&t[i]) & PTE_P)
		return false;
	uintptr_t pa = page_alloc();
	if (!pa)
		panic("out of memory building page tables");
	pte_t *l1 = (pte_t *)pa;
	for (unsigned k = 0; k < 512; k++)
		l1[k] = to_machine((va + k * PAGE_SIZE) | flags);
	/* As new_table: read-only in the identity map, then linked. */
	pte_t *id = walk(pa, false);
	kassert(id);
	queue(id, to_machine(pa | PTE_P | paging_nx()));
	queue_inval(pa);
	queue(&t[i], to_machine(pa | PTE_P | PTE_W | PTE_U));
	pv_commit();
	return true;
}

static void map_range(uintptr_t start, uintptr_t end, uint64_t flags)
{
	for (uintptr_t va = ALIGN_DOWN(start, PAGE_SIZE); va < end;) {
		if ((flags & PTE_P) && !(va & (L1_SPAN - 1)) &&
		    end - va >= L1_SPAN && map_table(va, flags)) {
			va += L1_SPAN;
			continue;
		}
		if (pv_set(va, flags ? va | flags : 0))
			panic("out of memory building page tables");
		va += PAGE_SIZE;
	}
}

static void pv_init(void)
{
	int r = m2p_build();
	if (r)
		panic("cannot invert the P2M (%d): memory too fragmented", r);
	/* Xen's boot tables map everything in their reach writable and
	 * executable, page 0 included: ours. */
	paging_map_image(map_range);
	pv_set(0, 0);
	pv_commit();

	/* The user-mode top level: a copy of the lower half, read-only
	 * before Xen is asked to use it. */
	uintptr_t u = page_alloc();
	if (!u)
		panic("out of memory building page tables");
	memcpy((void *)u, l4, L4_ENTRIES * sizeof(pte_t));
	queue(walk(u, false), to_machine(u | PTE_P | paging_nx()));
	queue_inval(u);
	pv_commit();
	l4_user = (pte_t *)u;
	struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR,
				.arg1.mfn = pv_pfn_to_mfn(u >> PAGE_SHIFT) };
	if (pv_mmuext_op(&op, 1))
		panic("Xen refused the user-mode page tables");
}

const struct paging_ops xenpv_paging_ops = {
	.init = pv_init,
	.get = pv_get,
	.set = pv_set,
	.commit = pv_commit,
	.prune = pv_prune,
	.map_phys = pv_map_phys,
};
