/*
 * Which virtual addresses are in use: a sorted list of disjoint,
 * non-adjacent [start, end) intervals inside [base, limit). Page
 * protections live in the page tables; this only answers "is it taken"
 * and "where is a hole". Nodes come from whole pages (node_page), so the
 * allocator never needs itself.
 */
#include <errno.h>

#include "kern.h"

static struct vmem_node *node_new(struct vmem *v)
{
	if (!v->spare) {
		struct vmem_node *blk = v->node_page();
		if (!blk)
			return NULL;
		size_t n = KPAGE_SIZE / sizeof(*blk);
		for (size_t i = 0; i < n; i++) {
			blk[i].next = v->spare;
			v->spare = &blk[i];
		}
	}
	struct vmem_node *nd = v->spare;
	v->spare = nd->next;
	return nd;
}

static void node_put(struct vmem *v, struct vmem_node *nd)
{
	nd->next = v->spare;
	v->spare = nd;
}

int vmem_find(struct vmem *v, size_t len, uintptr_t hint, uintptr_t *out)
{
	if (len == 0 || len > v->limit - v->base)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++) {
		uintptr_t from = pass == 0 && hint >= v->base && hint < v->limit
					 ? hint
					 : v->base;
		uintptr_t gap = from;
		for (struct vmem_node *n = v->head;; n = n->next) {
			uintptr_t gap_end = n ? n->start : v->limit;
			if (gap_end > gap && gap_end - gap >= len) {
				*out = gap;
				return 0;
			}
			if (!n)
				break;
			if (n->end > gap)
				gap = n->end;
		}
		if (from == v->base)
			break;
	}
	return -ENOMEM;
}

int vmem_insert(struct vmem *v, uintptr_t start, uintptr_t end)
{
	if (start >= end || start < v->base || end > v->limit)
		return -EINVAL;
	struct vmem_node **pp = &v->head;
	/* Skip intervals that end before start and do not touch it. */
	while (*pp && (*pp)->end < start)
		pp = &(*pp)->next;
	if (!*pp || (*pp)->start > end) {
		struct vmem_node *nd = node_new(v);
		if (!nd)
			return -ENOMEM;
		nd->start = start;
		nd->end = end;
		nd->next = *pp;
		*pp = nd;
		return 0;
	}
	/* *pp touches or overlaps [start, end): grow it, swallow the rest. */
	struct vmem_node *n = *pp;
	n->start = MIN(n->start, start);
	n->end = MAX(n->end, end);
	while (n->next && n->next->start <= n->end) {
		struct vmem_node *x = n->next;
		n->end = MAX(n->end, x->end);
		n->next = x->next;
		node_put(v, x);
	}
	return 0;
}

int vmem_remove(struct vmem *v, uintptr_t start, uintptr_t end)
{
	if (start >= end)
		return -EINVAL;
	struct vmem_node **pp = &v->head;
	while (*pp) {
		struct vmem_node *n = *pp;
		if (n->end <= start) {
			pp = &n->next;
			continue;
		}
		if (n->start >= end)
			break;
		if (n->start < start && n->end > end) {
			/* A hole in the middle: split. */
			struct vmem_node *tail = node_new(v);
			if (!tail)
				return -ENOMEM;
			tail->start = end;
			tail->end = n->end;
			tail->next = n->next;
			n->end = start;
			n->next = tail;
			return 0;
		}
		if (n->start < start) {
			n->end = start;
			pp = &n->next;
		} else if (n->end > end) {
			n->start = end;
			break;
		} else {
			*pp = n->next;
			node_put(v, n);
		}
	}
	return 0;
}

bool vmem_covers(const struct vmem *v, uintptr_t start, uintptr_t end)
{
	for (struct vmem_node *n = v->head; n && n->start < end; n = n->next)
		if (n->start <= start && n->end >= end)
			return true;
	return false;
}

bool vmem_is_free(const struct vmem *v, uintptr_t start, uintptr_t end)
{
	if (start < v->base || end > v->limit || start >= end)
		return false;
	for (struct vmem_node *n = v->head; n && n->start < end; n = n->next)
		if (n->end > start)
			return false;
	return true;
}
