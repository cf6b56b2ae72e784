// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: the backing store: each device's buffer is the page cache of
 * an inode on a private pseudo filesystem, as for mm/secretmem.c (why not
 * a page array: docs/design.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/migrate.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>

#include "compat.h"
#include "faultmem_dev.h"
#include "faultmem_trace.h"

/* "faul": identifies inodes of faultmem's pseudo filesystem. */
#define FAULTMEM_FS_MAGIC	0x6661756c

static struct vfsmount *faultmem_mnt;

/*
 * The sum of all devices' sizes, kept at or below faultmem_max_total_size.
 * The mutex serialises resizes of all devices; they are rare, and the
 * fault path never takes it.
 */
static DEFINE_MUTEX(faultmem_total_lock);
static u64 faultmem_total_size;

/* Would a device of @old_size bytes fit at @new_size under the cap? */
static bool faultmem_total_fits_locked(u64 old_size, u64 new_size)
{
	lockdep_assert_held(&faultmem_total_lock);
	return new_size <= old_size ||
	       faultmem_total_size - old_size + new_size <=
	       faultmem_max_total_size;
}

static void faultmem_total_change_locked(u64 old_size, u64 new_size)
{
	lockdep_assert_held(&faultmem_total_lock);
	faultmem_total_size += new_size - old_size;
}

/* A device created (from 0) or destroyed (to 0): never refused. */
static void faultmem_total_change(u64 old_size, u64 new_size)
{
	mutex_lock(&faultmem_total_lock);
	faultmem_total_change_locked(old_size, new_size);
	mutex_unlock(&faultmem_total_lock);
}

static int faultmem_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, FAULTMEM_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: kern_mount() would then take a reference on this module that
 * only kern_unmount() in module exit drops, and rmmod could never succeed.
 */
static struct file_system_type faultmem_fs_type = {
	.name		 = "faultmem",
	.init_fs_context = faultmem_fs_init_fs_context,
	.kill_sb	 = kill_anon_super,
};

/*
 * RAM-only address_space operations: there is nothing to write back, so
 * dirtying a folio only sets its flag (like ramfs). Folios stay dirty for
 * their whole life, which keeps invalidate_mapping_pages() (drop_caches)
 * from discarding the only copy of the data. They can be migrated to
 * another physical page like any page-cache folio without private data
 * (migrate_folio() moves the page-cache entry, the flags, the dirty bit
 * and the contents); a folio someone has pinned (an extra reference: a
 * pipe after vmsplice(), O_DIRECT) is not moved.
 */
static const struct address_space_operations faultmem_aops = {
	.dirty_folio	= noop_dirty_folio,
	.migrate_folio	= migrate_folio,
};

/**
 * faultmem_fs_mount() - mount the pseudo filesystem that holds the inodes
 *
 * Return: 0 or a negative errno.
 */
int faultmem_fs_mount(void)
{
	faultmem_mnt = kern_mount(&faultmem_fs_type);
	return PTR_ERR_OR_ZERO(faultmem_mnt);
}

void faultmem_fs_unmount(void)
{
	kern_unmount(faultmem_mnt);
}

/**
 * faultmem_store_init() - create the empty buffer of a device
 * @fdev: the device
 * @size: initial size in bytes, a page multiple
 *
 * No page is allocated here: pages appear on first touch (fault or write).
 *
 * Return: 0 or a negative errno.
 */
int faultmem_store_init(struct faultmem_dev *fdev, u64 size)
{
	struct inode *inode;

	inode = alloc_anon_inode(faultmem_mnt->mnt_sb);
	if (IS_ERR(inode))
		return PTR_ERR(inode);

	inode->i_mapping->a_ops = &faultmem_aops;
	/*
	 * Movable, as shmem's pages are: compaction, CMA, memory hot-unplug
	 * and migrate_pages() can move them (faultmem_aops.migrate_folio).
	 * Not highmem-limited.
	 */
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER_MOVABLE);
	/* RAM is the only copy: reclaim must never drop these pages. */
	mapping_set_unevictable(inode->i_mapping);
	/*
	 * Allow PMD-size folios (huge=), and let split_folio() break them up
	 * when a hole punch or a shrink cuts through one.
	 */
	mapping_set_large_folios(inode->i_mapping);
	i_size_write(inode, size);
	fdev->inode = inode;
	faultmem_total_change(0, size);
	return 0;
}

/**
 * faultmem_store_destroy() - free every page of a device and its inode
 * @fdev: the device; no file may be open on it any more
 */
void faultmem_store_destroy(struct faultmem_dev *fdev)
{
	faultmem_total_change(faultmem_size(fdev), 0);
	truncate_inode_pages_final(fdev->inode->i_mapping);
	iput(fdev->inode);
	fdev->inode = NULL;
}

/*
 * The user address at which the faulting mapping shows page @index of the
 * device (for a huge folio, its first page): where a NUMA policy is
 * looked up and an interleave position computed.
 */
static unsigned long faultmem_fault_address(const struct vm_fault *vmf,
					    pgoff_t index)
{
	return vmf->address - ((vmf->pgoff - index) << PAGE_SHIFT);
}

/*
 * Allocate a zeroed, uptodate folio of 2^@order pages and insert it at
 * @index. filemap_add_folio() locks the folio, and on failure unlocks it
 * again: on success we own it locked, on failure we only drop our
 * reference. Huge allocations must not dig into reclaim or compaction, or
 * warn: a base page is a fine answer when a huge one is not at hand.
 *
 * Where the memory comes from is the NUMA policy's choice: for a fault
 * (@vmf) the policy of the faulting mapping (mbind()), falling back to the
 * task's; for write() (@vmf NULL) the task's (set_mempolicy()).
 */
static struct folio *faultmem_add_folio(struct address_space *mapping,
					pgoff_t index, unsigned int order,
					struct vm_fault *vmf)
{
	gfp_t gfp = mapping_gfp_mask(mapping);
	gfp_t alloc_gfp = gfp | __GFP_ZERO;
	struct folio *folio;
	int err;

	if (order) {
		/* The memory cgroup charge too: fail fast, no OOM kill. */
		gfp = (gfp & ~__GFP_RECLAIM) | __GFP_NORETRY | __GFP_NOWARN;
		alloc_gfp = gfp | __GFP_ZERO;
	}
	/* Zeroed: earlier users' or the kernel's data never leaks. */
	if (vmf)
		folio = faultmem_vma_alloc_folio(alloc_gfp, order, vmf->vma,
						 faultmem_fault_address(vmf, index));
	else
		folio = folio_alloc(alloc_gfp, order);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	folio_mark_uptodate(folio);

	err = filemap_add_folio(mapping, folio, index, gfp);
	if (err) {
		folio_put(folio);
		return ERR_PTR(err);
	}
	/* RAM is the only copy: dirty for life (see faultmem_aops). */
	folio_mark_dirty(folio);
	return folio;
}

/*
 * Under a huge policy, answer a miss at @index with one PMD-size folio for
 * the whole PMD-size block around it, if that block lies wholly inside the
 * device. A fault through a mapping whose process opted out of huge pages
 * (MADV_NOHUGEPAGE on the mapping, prctl(PR_SET_THP_DISABLE)) gets small
 * pages, as tmpfs does; write() has no mapping to ask. Return: the folio,
 * locked, or NULL when the policy or the opt-out says no, the block
 * already holds pages (-EEXIST: not a failure), or no huge folio could be
 * allocated or charged (counted in huge_fallbacks).
 */
static struct folio *faultmem_try_huge_folio(struct faultmem_dev *fdev,
					     pgoff_t index,
					     struct vm_fault *vmf)
{
	pgoff_t first;
	struct folio *folio;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ||
	    READ_ONCE(fdev->huge) == FAULTMEM_HUGE_NEVER)
		return NULL;
	if (vmf && faultmem_vma_thp_disabled(vmf->vma))
		return NULL;
	first = round_down(index, HPAGE_PMD_NR);
	if (first + HPAGE_PMD_NR > faultmem_size(fdev) >> PAGE_SHIFT)
		return NULL;
	/* A page under a rule must fault on its own, never under a PMD. */
	if (faultmem_inject_active(fdev) &&
	    faultmem_inject_covers(fdev, first, first + HPAGE_PMD_NR - 1))
		return NULL;

	folio = faultmem_add_folio(faultmem_mapping(fdev), first,
				   HPAGE_PMD_ORDER, vmf);
	if (!IS_ERR(folio)) {
		faultmem_count(fdev, huge_folios_allocated);
		return folio;
	}
	if (PTR_ERR(folio) != -EEXIST)
		faultmem_count(fdev, huge_fallbacks);
	return NULL;
}

/**
 * faultmem_store_get_folio() - find or create the page at @index, locked
 * @fdev:	the device
 * @index:	page index in the buffer; the caller has checked it against
 *		the size while holding the invalidate lock shared, and still
 *		holds it, so no resize or punch can race with the insertion
 * @vmf:	the fault asking, or NULL for write(): its mapping's NUMA
 *		policy and huge-page opt-outs decide what is allocated
 * @allocated:	set to true when this call allocated the page
 *
 * The page-cache protocol: look the folio up; on a miss allocate a zeroed
 * one, mark it uptodate (its contents are valid: zeroes) and insert it,
 * which also locks it.
 * Two tasks touching the same new page race here; filemap_add_folio() lets
 * exactly one win and fails the other with -EEXIST, and the loser drops its
 * copy and takes the winner's, so every writer ends up on the same page.
 *
 * Under a huge policy the miss is first answered with a PMD-size folio for
 * the whole PMD-size block around @index. That fails with -EEXIST if any
 * page of the block is already resident, with -ENOMEM if no huge folio is
 * free or the memory cgroup refuses the charge; either way we fall back to
 * a base page, so a huge policy never makes a fault fail that would
 * otherwise succeed.
 *
 * Return: the folio (which may be large: use folio_file_page() to find
 * the page at @index), locked and with a reference the caller must drop,
 * or ERR_PTR(-ENOMEM) (also when the memory cgroup refuses the charge).
 */
struct folio *faultmem_store_get_folio(struct faultmem_dev *fdev,
				       pgoff_t index, struct vm_fault *vmf,
				       bool *allocated)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	bool try_huge = true;
	struct folio *folio;

	lockdep_assert_held(&mapping->invalidate_lock);
	*allocated = false;
	for (;;) {
		folio = faultmem_lock_folio(mapping, index);
		if (folio)
			return folio;

		/* Once: after a lost race the lookup finds the winner's. */
		folio = try_huge ? faultmem_try_huge_folio(fdev, index, vmf) :
				   NULL;
		try_huge = false;
		if (!folio)
			folio = faultmem_add_folio(mapping, index, 0, vmf);
		if (!IS_ERR(folio))
			break;
		if (PTR_ERR(folio) != -EEXIST)
			return folio;
		faultmem_count(fdev, insert_races);
	}

	faultmem_count_add(fdev, pages_allocated, folio_nr_pages(folio));
	*allocated = true;
	return folio;
}

/*
 * A shrink or a hole punch removes pages on one side of a boundary, the
 * page index @k where kept and removed pages meet. A large folio holding
 * both page @k - 1 and page @k straddles it and must be split first.
 * Return: the number of pages of the straddling folio (and its first
 * index in @first), or 0 if none straddles.
 */
static unsigned long faultmem_store_straddles(struct faultmem_dev *fdev,
					      pgoff_t k, pgoff_t *first)
{
	unsigned long nr = 0;
	struct folio *folio;

	if (!k)
		return 0;
	folio = faultmem_get_folio(faultmem_mapping(fdev), k - 1);
	if (!folio)
		return 0;
	if (folio->index + folio_nr_pages(folio) > k) {
		*first = folio->index;
		nr = folio_nr_pages(folio);
	}
	folio_put(folio);
	return nr;
}

/*
 * The byte at @pos of a resident page, mapped, with its folio locked in
 * @folio: NULL when the page is not resident. faultmem_store_unmap_byte()
 * undoes it.
 */
static u8 *faultmem_store_map_byte(struct faultmem_dev *fdev, loff_t pos,
				   struct folio **folio)
{
	*folio = faultmem_lock_folio(faultmem_mapping(fdev), pos >> PAGE_SHIFT);
	if (!*folio)
		return NULL;
	return kmap_local_folio(*folio, offset_in_folio(*folio, pos));
}

static void faultmem_store_unmap_byte(struct folio *folio, u8 *kaddr)
{
	kunmap_local(kaddr);
	folio_unlock(folio);
	folio_put(folio);
}

/* Read the byte at @pos of a resident page into @byte: 0, or -ENOENT. */
static int faultmem_store_read_byte(struct faultmem_dev *fdev, loff_t pos,
				    u8 *byte)
{
	struct folio *folio;
	u8 *kaddr = faultmem_store_map_byte(fdev, pos, &folio);

	if (!kaddr)
		return -ENOENT;
	*byte = *kaddr;
	faultmem_store_unmap_byte(folio, kaddr);
	return 0;
}

/* Write @byte at @pos of a resident page: 0, or -ENOENT. */
static int faultmem_store_write_byte(struct faultmem_dev *fdev, loff_t pos,
				     u8 byte)
{
	struct folio *folio;
	u8 *kaddr = faultmem_store_map_byte(fdev, pos, &folio);

	if (!kaddr)
		return -ENOENT;
	*kaddr = byte;
	flush_dcache_folio(folio);
	faultmem_store_unmap_byte(folio, kaddr);
	return 0;
}

/* How often a split that failed is tried again, 1-2 ms apart. */
#define FAULTMEM_SPLIT_TRIES	20

/*
 * A boundary of a shrink or a hole punch: the page-aligned byte @at where
 * kept and removed pages meet, and on which side the removed ones are (a
 * shrink to S: at S, after; a punch of [O, E): at O, after, and at E,
 * before). @saved and @truncated are faultmem_store_split_boundaries_locked()'s.
 */
struct faultmem_boundary {
	loff_t at;
	bool removed_before;
	bool truncated;
	u8 saved;
};

/* The byte next to a boundary on its removed side. */
static loff_t faultmem_boundary_edge(const struct faultmem_boundary *b)
{
	return b->removed_before ? b->at - 1 : b->at;
}

/**
 * faultmem_store_split_boundaries_locked() - split the large folios a change cuts
 * @fdev:	the device
 * @bounds:	the boundaries of the change
 * @nr:		how many
 *
 * Modules cannot call split_folio(); truncate_pagecache_range() splits a
 * large folio it cuts through. So each straddling folio is split by
 * truncating one byte of it: the byte next to the boundary on its removed
 * side, which the change is about to remove anyway. A split fails while
 * someone else holds a reference to the folio: for as long as it stays
 * pinned (a page spliced into a pipe with vmsplice(), O_DIRECT in flight),
 * or for a moment (compaction, a read() copying from it), which is waited
 * out a few times. If a split still fails, the bytes truncated here are
 * written back and the change must be refused: nothing has changed then,
 * but that some folios are smaller.
 *
 * Context: the invalidate lock held exclusive.
 * Return: 0 when no large folio straddles any boundary, or -EBUSY.
 */
static int
faultmem_store_split_boundaries_locked(struct faultmem_dev *fdev,
				       struct faultmem_boundary *bounds, int nr)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	int i, tries;

	lockdep_assert_held_write(&mapping->invalidate_lock);

	for (i = 0; i < nr; i++) {
		struct faultmem_boundary *b = &bounds[i];
		loff_t edge = faultmem_boundary_edge(b);
		pgoff_t k = b->at >> PAGE_SHIFT, first;
		unsigned long nr_pages;

		b->truncated = false;
		nr_pages = faultmem_store_straddles(fdev, k, &first);
		if (!nr_pages)
			continue;
		/*
		 * Out of every page table first: a mapping must not see the
		 * byte zeroed for a moment. Its next access faults and waits
		 * for the invalidate lock.
		 */
		unmap_mapping_pages(mapping, first, nr_pages, false);
		/* Resident: it is in the folio just found. */
		if (WARN_ON_ONCE(faultmem_store_read_byte(fdev, edge,
							  &b->saved)))
			continue;
		b->truncated = true;
		for (tries = 0; tries < FAULTMEM_SPLIT_TRIES; tries++) {
			truncate_pagecache_range(fdev->inode, edge, edge);
			if (!faultmem_store_straddles(fdev, k, &first))
				break;
			usleep_range(1000, 2000);
		}
		if (tries == FAULTMEM_SPLIT_TRIES)
			goto restore;
	}
	return 0;

restore:
	/*
	 * A truncated byte's page stays: truncating part of a page zeroes
	 * it. Were it gone, the byte would be lost: say so.
	 */
	for (; i >= 0; i--) {
		struct faultmem_boundary *b = &bounds[i];
		loff_t edge = faultmem_boundary_edge(b);

		if (b->truncated)
			WARN_ON_ONCE(faultmem_store_write_byte(fdev, edge,
							       b->saved));
	}
	return -EBUSY;
}

/*
 * Shrink the buffer from @old_size to @new_size. The large folio across
 * the new end, if any, is split first, so that nothing is freed if that
 * fails. Then the tail is freed as a hole punch while i_size still says
 * @old_size, and only then is the size lowered. Why in that order? If
 * truncate_pagecache() split a huge folio after i_size had shrunk, the
 * split would drop the tail pages beyond the new end itself, and on the
 * way "clean" their dirty flag with writeback accounting (6.1:
 * __split_huge_page() calls folio_account_cleaned()), which dereferences
 * the writeback context that our RAM-only inode does not have.
 * truncate_pagecache() at the end unmaps what lies beyond the new end
 * from every process, private copy-on-write pages too: they are beyond
 * the end of the object now, so touching them must give SIGBUS.
 */
static int faultmem_store_shrink_locked(struct faultmem_dev *fdev,
					u64 new_size, u64 old_size)
{
	struct faultmem_boundary end = { .at = new_size };
	int ret;

	lockdep_assert_held_write(&faultmem_mapping(fdev)->invalidate_lock);
	ret = faultmem_store_split_boundaries_locked(fdev, &end, 1);
	if (ret)
		return ret;
	truncate_pagecache_range(fdev->inode, new_size, old_size - 1);
	i_size_write(fdev->inode, new_size);
	truncate_pagecache(fdev->inode, new_size);
	return 0;
}

/*
 * The size change of faultmem_store_resize(), with both of its locks held:
 * refused (-ENOSPC) when it would take all devices together past
 * max_total_size, else made, accounted, counted and traced.
 */
static int faultmem_store_resize_locked(struct faultmem_dev *fdev,
					u64 new_size)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	unsigned long freed = mapping->nrpages;
	u64 old_size = faultmem_size(fdev);
	int ret = 0;

	lockdep_assert_held(&faultmem_total_lock);
	lockdep_assert_held_write(&mapping->invalidate_lock);
	if (!faultmem_total_fits_locked(old_size, new_size))
		return -ENOSPC;

	if (new_size < old_size)
		ret = faultmem_store_shrink_locked(fdev, new_size, old_size);
	else
		i_size_write(fdev->inode, new_size);
	if (ret)
		return ret;
	freed -= mapping->nrpages;
	faultmem_total_change_locked(old_size, new_size);
	faultmem_count(fdev, resizes);
	trace_faultmem_resize(fdev->index, old_size, new_size, freed);
	return 0;
}

/**
 * faultmem_store_resize() - change the size of a device
 * @fdev:	the device
 * @new_size:	new size in bytes: a page multiple, at most faultmem_max_size
 *
 * Like truncate for a file. With the invalidate lock held exclusive no fault
 * can be between its size check and its page-cache insertion, so no page
 * can appear beyond the new end after we return. Growing exposes fresh
 * zero pages. All or nothing: a resize that fails has changed no byte.
 *
 * Return: 0, -EINVAL for a size that is not a page multiple, -EFBIG for a
 * size above the device's cap (max_size), -ENOSPC when growing would take
 * all devices together past the module's cap (max_total_size), or -EBUSY
 * when a pinned huge folio across the new end cannot be split.
 */
int faultmem_store_resize(struct faultmem_dev *fdev, u64 new_size)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	int ret;

	if (new_size > faultmem_max_size)
		return -EFBIG;
	if (!PAGE_ALIGNED(new_size))
		return -EINVAL;

	mutex_lock(&faultmem_total_lock);
	filemap_invalidate_lock(mapping);
	ret = faultmem_store_resize_locked(fdev, new_size);
	filemap_invalidate_unlock(mapping);
	mutex_unlock(&faultmem_total_lock);
	return ret;
}

/**
 * faultmem_store_punch_hole() - free the pages of a range
 * @fdev:	the device
 * @offset:	first byte, a page multiple
 * @length:	bytes, a non-zero page multiple; the range must lie inside
 *		the device
 *
 * Like fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on a file:
 * shared mappings and read() see zeroes afterwards; private copy-on-write
 * copies already made are the process's own and are kept. All or
 * nothing: the large folios across either end of the range are split
 * before anything is freed, and a punch that fails has changed no byte.
 *
 * Return: 0, -EINVAL for a bad range, or -EBUSY when a pinned huge
 * folio across an end of the range cannot be split.
 */
int faultmem_store_punch_hole(struct faultmem_dev *fdev, u64 offset,
			      u64 length)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	struct faultmem_boundary ends[2];
	unsigned long resident;
	int ret;
	u64 end;

	if (!length || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(length) ||
	    check_add_overflow(offset, length, &end))
		return -EINVAL;
	ends[0] = (struct faultmem_boundary) { .at = offset };
	ends[1] = (struct faultmem_boundary) { .at = end, .removed_before = true };

	filemap_invalidate_lock(mapping);
	resident = mapping->nrpages;
	if (end > faultmem_size(fdev))
		ret = -EINVAL;
	else
		ret = faultmem_store_split_boundaries_locked(fdev, ends,
							     ARRAY_SIZE(ends));
	if (!ret)
		truncate_pagecache_range(fdev->inode, offset, end - 1);
	resident -= mapping->nrpages;
	filemap_invalidate_unlock(mapping);
	if (ret)
		return ret;

	faultmem_count(fdev, holes_punched);
	trace_faultmem_punch_hole(fdev->index, offset, end, resident);
	return 0;
}

/*
 * The first folio (@large: the first large folio) holding a page of
 * [@index, @last], by reference, or NULL.
 */
static struct folio *faultmem_store_next_folio(struct faultmem_dev *fdev,
					       pgoff_t index, pgoff_t last,
					       bool large)
{
	XA_STATE(xas, &faultmem_mapping(fdev)->i_pages, index);
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, last) {
		if (xas_retry(&xas, folio) || xa_is_value(folio) ||
		    (large && !folio_test_large(folio)))
			continue;
		if (!folio_try_get(folio)) {
			xas_reset(&xas);
			continue;
		}
		/* Freed and reused between the lookup and the reference? */
		if (likely(folio == xas_reload(&xas)))
			break;
		folio_put(folio);
		xas_reset(&xas);
	}
	rcu_read_unlock();
	return folio;
}

/**
 * faultmem_store_isolate_pages() - give each page of a range a folio of its own
 * @fdev:	the device
 * @first:	first page
 * @last:	last page
 *
 * A large folio is mapped whole where it can be, so a page of one that
 * must fault on every access (a fault-injection rule covers it) needs a
 * folio of its own. Truncating an empty range inside a page splits the
 * large folio holding it (truncate_inode_partial_folio(), the only split a
 * module can ask for) and zeroes nothing: lend = lstart - 1, with lstart
 * one byte into the page so that it is not a whole page either. The
 * split unmaps the folio from every process; they fault it back. As for
 * a hole punch, a split fails while the folio is pinned (and, our folios
 * being dirty for life, stays in the page cache whole), and is retried a
 * few times.
 *
 * Return: 0, or -EBUSY when a split failed; no byte changes either way.
 */
int faultmem_store_isolate_pages(struct faultmem_dev *fdev, pgoff_t first,
				 pgoff_t last)
{
	struct folio *folio;
	pgoff_t index = first;
	int tries = 0;

	lockdep_assert_held_write(&faultmem_mapping(fdev)->invalidate_lock);
	while ((folio = faultmem_store_next_folio(fdev, index, last, true))) {
		pgoff_t target = max(folio->index, index);
		/*
		 * Not in page 0: there the end of the range it unmaps,
		 * round_down(lstart) - 1, would wrap and unmap the whole
		 * file. Its neighbour splits page 0 off as well (a split
		 * breaks a folio into single pages, or from 7.x around the
		 * page, which leaves its buddy single too).
		 */
		loff_t at = (loff_t)(target ? target : 1) << PAGE_SHIFT;

		folio_put(folio);
		if (tries++ == FAULTMEM_SPLIT_TRIES)
			return -EBUSY;
		if (tries > 1)
			usleep_range(1000, 2000);
		truncate_pagecache_range(fdev->inode, at + 1, at);
		/* Start over after the page only once it stands alone. */
		folio = faultmem_get_folio(faultmem_mapping(fdev), target);
		if (folio && !folio_test_large(folio)) {
			index = target + 1;
			tries = 0;
		}
		if (folio)
			folio_put(folio);
		cond_resched();
	}
	return 0;
}

/**
 * faultmem_store_unmap_pages() - take a range out of every page table
 * @fdev:	the device
 * @first:	first page
 * @last:	last page
 *
 * Private copy-on-write copies are the processes' own and stay. A fault
 * that found its page before the caller changed what the page's access
 * does may still be installing it: it holds the folio lock until its PTE
 * is in, so wait for each folio's lock, then unmap again.
 */
void faultmem_store_unmap_pages(struct faultmem_dev *fdev, pgoff_t first,
				pgoff_t last)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	pgoff_t nr = last - first + 1, index = first;
	struct folio *folio;

	unmap_mapping_pages(mapping, first, nr, false);
	while ((folio = faultmem_store_next_folio(fdev, index, last, false))) {
		folio_lock(folio);
		folio_unlock(folio);
		index = folio->index + folio_nr_pages(folio);
		folio_put(folio);
		cond_resched();
		if (index > last || !index)
			break;
	}
	unmap_mapping_pages(mapping, first, nr, false);
}

/*
 * Call @fn with each folio holding a page of [@first, @last], in order, as
 * a lockless walk of the page cache's xarray sees them (the one mincore()
 * does): under RCU, without a reference, so @fn may read the folio's index
 * and size only, and the answer is a snapshot. @fn returns true to stop.
 */
static void faultmem_store_walk(struct faultmem_dev *fdev, pgoff_t first,
				pgoff_t last,
				bool (*fn)(struct folio *folio, void *arg),
				void *arg)
{
	XA_STATE(xas, &faultmem_mapping(fdev)->i_pages, first);
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, last) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		if (fn(folio, arg))
			break;
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

struct faultmem_residency_walk {
	pgoff_t first, last;
	u8 *bitmap;
	unsigned long count;
};

static bool faultmem_residency_add(struct folio *folio, void *arg)
{
	struct faultmem_residency_walk *r = arg;
	/* A large folio covers several indices; clip to the range. */
	pgoff_t index = max(folio->index, r->first);
	pgoff_t end = min(folio->index + folio_nr_pages(folio) - 1, r->last);

	for (; index <= end; index++) {
		r->bitmap[(index - r->first) / 8] |= 1 << ((index - r->first) % 8);
		r->count++;
	}
	return false;
}

/**
 * faultmem_store_residency() - which pages of a range are resident
 * @fdev:	the device
 * @first:	first page index
 * @nr:		number of pages
 * @bitmap:	(@nr + 7) / 8 zeroed bytes; bit i (byte i / 8, bit i % 8)
 *		is set when page @first + i is resident
 *
 * Like mincore(), but over the device itself rather than one process's
 * mappings: a page can be resident without being mapped by anyone. The
 * answer is a snapshot; pages may come and go while it is taken.
 *
 * Return: the number of bits set.
 */
unsigned long faultmem_store_residency(struct faultmem_dev *fdev,
				       pgoff_t first, unsigned long nr,
				       u8 *bitmap)
{
	struct faultmem_residency_walk r = {
		.first = first, .last = first + nr - 1, .bitmap = bitmap,
	};

	faultmem_store_walk(fdev, r.first, r.last, faultmem_residency_add, &r);
	return r.count;
}

/* Where lseek(SEEK_DATA or SEEK_HOLE) from @offset has got to. */
struct faultmem_seek {
	loff_t offset;
	int whence;
	pgoff_t next;	/* the first page not yet known to be data */
	loff_t data;	/* SEEK_DATA: the answer, or -ENXIO */
};

static bool faultmem_seek_folio(struct folio *folio, void *arg)
{
	struct faultmem_seek *seek = arg;

	if (seek->whence == SEEK_DATA) {
		seek->data = max_t(loff_t, seek->offset,
				   (loff_t)folio->index << PAGE_SHIFT);
		return true;
	}
	/* A gap before this folio is the hole. */
	if (folio->index > seek->next)
		return true;
	seek->next = folio->index + folio_nr_pages(folio);
	return false;
}

/**
 * faultmem_store_seek_data_hole() - lseek(SEEK_DATA) and lseek(SEEK_HOLE)
 * @fdev:	the device
 * @offset:	where to start looking, in bytes
 * @whence:	SEEK_DATA or SEEK_HOLE
 *
 * Data is every resident page, holes are the pages never written or
 * punched out since, page by page (a huge folio is HPAGE_PMD_NR pages of
 * data), as for a tmpfs file; the answer is a snapshot.
 *
 * Return: the offset of the first byte of data (SEEK_DATA) or of a hole
 * (SEEK_HOLE; the end of the device counts as one) at or after @offset,
 * or -ENXIO if @offset is negative or at or past the end, or if there is
 * no data after @offset.
 */
loff_t faultmem_store_seek_data_hole(struct faultmem_dev *fdev, loff_t offset,
				     int whence)
{
	struct faultmem_seek seek = {
		.offset = offset, .whence = whence, .data = -ENXIO,
	};
	u64 size = faultmem_size(fdev);

	if (offset < 0 || offset >= size)
		return -ENXIO;
	seek.next = offset >> PAGE_SHIFT;
	faultmem_store_walk(fdev, seek.next, (size - 1) >> PAGE_SHIFT,
			    faultmem_seek_folio, &seek);
	if (whence == SEEK_DATA)
		return seek.data;
	return min_t(u64, max_t(u64, offset, (u64)seek.next << PAGE_SHIFT),
		     size);
}
