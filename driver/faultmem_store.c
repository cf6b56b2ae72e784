// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: the backing store.
 *
 * Each device's buffer is the page cache of an inode on a private pseudo
 * filesystem, the model of mm/secretmem.c and of DRM's anon inode. Why not
 * a private array of pages, as LDD3 and most course drivers do?
 *
 *  - Pages in an address_space have ->mapping and ->index, so the kernel
 *    treats a mapping of the device like a mapping of a file: process-shared
 *    futexes work, GUP users (process_vm_readv, /proc/PID/mem) work, and
 *    MAP_PRIVATE gets copy-on-write from the core.
 *  - unmap_mapping_range() finds every VMA of every process through the
 *    address_space's rmap tree, which is what resize and hole punching need
 *    to take pages away safely. That only works if every open file of the
 *    device shares one address_space, hence one inode per device and
 *    file->f_mapping pointing at it (see faultmem_open()).
 *  - filemap_add_folio() charges each page to the memory cgroup of the task
 *    that first touched it, and truncation uncharges it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs_context.h>
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
 * from discarding the only copy of the data.
 */
static const struct address_space_operations faultmem_aops = {
	.dirty_folio	= noop_dirty_folio,
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
	/* Not movable: we provide no migrate_folio. Not highmem-limited. */
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	/* RAM is the only copy: reclaim must never drop these pages. */
	mapping_set_unevictable(inode->i_mapping);
	/*
	 * Allow PMD-size folios (huge=), and let split_folio() break them up
	 * when a hole punch or a shrink cuts through one.
	 */
	mapping_set_large_folios(inode->i_mapping);
	i_size_write(inode, size);
	fdev->inode = inode;

	mutex_lock(&faultmem_total_lock);
	faultmem_total_size += size;
	mutex_unlock(&faultmem_total_lock);
	return 0;
}

/**
 * faultmem_store_destroy() - free every page of a device and its inode
 * @fdev: the device; no file may be open on it any more
 */
void faultmem_store_destroy(struct faultmem_dev *fdev)
{
	mutex_lock(&faultmem_total_lock);
	faultmem_total_size -= faultmem_size(fdev);
	mutex_unlock(&faultmem_total_lock);

	truncate_inode_pages_final(fdev->inode->i_mapping);
	iput(fdev->inode);
	fdev->inode = NULL;
}

/*
 * Allocate a zeroed, uptodate folio of 2^@order pages and insert it at
 * @index. filemap_add_folio() locks the folio, and on failure unlocks it
 * again: on success we own it locked, on failure we only drop our
 * reference. Huge allocations must not dig into reclaim or compaction, or
 * warn: a 4 KiB page is a fine answer when 2 MiB is not at hand.
 */
static struct folio *faultmem_add_folio(struct address_space *mapping,
					pgoff_t index, unsigned int order)
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
 * the whole 2 MiB block around it, if that block lies wholly inside the
 * device. Return: the folio, locked, or NULL when the policy says no, the
 * block already holds pages (-EEXIST: not a failure), or no 2 MiB could be
 * allocated or charged (counted in huge_fallbacks).
 */
static struct folio *faultmem_try_huge_folio(struct faultmem_dev *fdev,
					     pgoff_t index)
{
	pgoff_t first;
	struct folio *folio;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ||
	    READ_ONCE(fdev->huge) == FAULTMEM_HUGE_NEVER)
		return NULL;
	first = round_down(index, HPAGE_PMD_NR);
	if (first + HPAGE_PMD_NR > faultmem_size(fdev) >> PAGE_SHIFT)
		return NULL;

	folio = faultmem_add_folio(faultmem_mapping(fdev), first,
				   HPAGE_PMD_ORDER);
	if (!IS_ERR(folio)) {
		faultmem_count(fdev, FAULTMEM_HUGE_FOLIOS_ALLOCATED);
		return folio;
	}
	if (PTR_ERR(folio) != -EEXIST)
		faultmem_count(fdev, FAULTMEM_HUGE_FALLBACKS);
	return NULL;
}

/**
 * faultmem_store_get_folio() - find or create the page at @index, locked
 * @fdev:	the device
 * @index:	page index in the buffer; the caller has checked it against
 *		the size while holding the invalidate lock shared, and still
 *		holds it, so no resize or punch can race with the insertion
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
 * the whole 2 MiB block around @index. That fails with -EEXIST if any page
 * of the block is already resident, with -ENOMEM if no 2 MiB is free or the
 * memory cgroup refuses the charge; either way we fall back to a 4 KiB
 * page, so a huge policy never makes a fault fail that would otherwise
 * succeed.
 *
 * Return: the folio (which may be large: use folio_file_page() to find
 * the page at @index), locked and with a reference the caller must drop,
 * or ERR_PTR(-ENOMEM) (also when the memory cgroup refuses the charge).
 */
struct folio *faultmem_store_get_folio(struct faultmem_dev *fdev,
				       pgoff_t index, bool *allocated)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	bool try_huge = true;
	struct folio *folio;

	*allocated = false;
	for (;;) {
		folio = faultmem_lock_folio(mapping, index);
		if (folio)
			return folio;

		/* Once: after a lost race the lookup finds the winner's. */
		folio = try_huge ? faultmem_try_huge_folio(fdev, index) : NULL;
		try_huge = false;
		if (!folio)
			folio = faultmem_add_folio(mapping, index, 0);
		if (!IS_ERR(folio))
			break;
		if (PTR_ERR(folio) != -EEXIST)
			return folio;
	}

	faultmem_count_add(fdev, FAULTMEM_PAGES_ALLOCATED, folio_nr_pages(folio));
	*allocated = true;
	return folio;
}

/*
 * Free the pages in [@new_size, @old_size) while i_size still says
 * @old_size, and make sure no large folio is left across @new_size.
 *
 * Why first, as a hole punch? A 2 MiB folio across the new end must be
 * split. If truncate_pagecache() did that after i_size had shrunk, the
 * split would drop the tail pages beyond the new end itself, and on the
 * way it "cleans" their dirty flag with writeback accounting (6.1:
 * __split_huge_page() calls folio_account_cleaned()), which dereferences
 * the writeback context that our RAM-only inode does not have. Splitting
 * while every page is still inside i_size takes the ordinary path.
 *
 * A split fails while someone holds an extra reference on the folio
 * (get_user_pages() for O_DIRECT in flight, a page spliced into a pipe);
 * truncation then only zeroes the range. We refuse the shrink rather than
 * leave a folio reaching past the end, which a PMD would map beyond it.
 *
 * Return: 0, or -EBUSY with the size unchanged (the bytes past @new_size
 * read as zeroes: they were about to be discarded).
 */
static int faultmem_store_free_tail(struct faultmem_dev *fdev, u64 new_size,
				    u64 old_size)
{
	pgoff_t index = new_size >> PAGE_SHIFT;
	struct folio *folio;
	bool straddles;

	truncate_pagecache_range(fdev->inode, new_size, old_size - 1);

	folio = faultmem_get_folio(faultmem_mapping(fdev), index);
	if (!folio)
		return 0;
	straddles = folio->index < index;
	folio_put(folio);
	return straddles ? -EBUSY : 0;
}

/**
 * faultmem_store_resize() - change the size of a device
 * @fdev:	the device
 * @new_size:	new size in bytes: a page multiple, at most faultmem_max_size
 *
 * Like truncate for a file. With the invalidate lock held exclusive no fault
 * can be between its size check and its page-cache insertion, so no page
 * can appear beyond the new end after we return. truncate_pagecache() then
 * unmaps the tail from every process (private copy-on-write pages too: they
 * are beyond the end of the object now, so touching them must give SIGBUS)
 * and frees it; growing again exposes fresh zero pages.
 *
 * Return: 0, -EINVAL for a size that is not a page multiple, -EFBIG for a
 * size above the device's cap (max_size), -ENOSPC when growing would take
 * all devices together past the module's cap (max_total_size), or -EBUSY
 * when a pinned 2 MiB folio across the new end cannot be split.
 */
int faultmem_store_resize(struct faultmem_dev *fdev, u64 new_size)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	struct inode *inode = fdev->inode;
	unsigned long resident;
	u64 old_size;
	int ret = 0;

	if (new_size > faultmem_max_size)
		return -EFBIG;
	if (!PAGE_ALIGNED(new_size))
		return -EINVAL;

	mutex_lock(&faultmem_total_lock);
	old_size = i_size_read(inode);
	if (new_size > old_size &&
	    faultmem_total_size - old_size + new_size > faultmem_max_total_size) {
		ret = -ENOSPC;
		goto unlock_total;
	}

	filemap_invalidate_lock(mapping);
	resident = mapping->nrpages;
	if (new_size < old_size) {
		ret = faultmem_store_free_tail(fdev, new_size, old_size);
		if (ret)
			goto unlock_invalidate;
	}
	i_size_write(inode, new_size);
	if (new_size < old_size)
		truncate_pagecache(inode, new_size);
	resident -= mapping->nrpages;
	filemap_invalidate_unlock(mapping);

	faultmem_total_size += new_size - old_size;
	faultmem_count(fdev, FAULTMEM_RESIZES);
	trace_faultmem_resize(fdev->index, old_size, new_size, resident);
	goto unlock_total;

unlock_invalidate:
	filemap_invalidate_unlock(mapping);
unlock_total:
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
 * copies already made are the process's own and are kept.
 *
 * Return: 0 or -EINVAL for a bad range.
 */
int faultmem_store_punch_hole(struct faultmem_dev *fdev, u64 offset,
			      u64 length)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	unsigned long resident;
	int ret = 0;
	u64 end;

	if (!length || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(length) ||
	    check_add_overflow(offset, length, &end))
		return -EINVAL;

	filemap_invalidate_lock(mapping);
	resident = mapping->nrpages;
	if (end > faultmem_size(fdev))
		ret = -EINVAL;
	else
		truncate_pagecache_range(fdev->inode, offset, end - 1);
	resident -= mapping->nrpages;
	filemap_invalidate_unlock(mapping);

	if (!ret) {
		faultmem_count(fdev, FAULTMEM_HOLES_PUNCHED);
		trace_faultmem_punch_hole(fdev->index, offset, length, resident);
	}
	return ret;
}

/**
 * faultmem_store_residency() - which pages of a range are resident
 * @fdev:	the device
 * @first:	first page index
 * @nr:		number of pages
 * @bitmap:	(@nr + 7) / 8 zeroed bytes; bit i (byte i / 8, bit i % 8)
 *		is set when page @first + i is resident
 *
 * A lockless walk of the page cache's xarray, like the one mincore()
 * does, but over the device itself rather than one process's mappings: a
 * page can be resident without being mapped by anyone. The answer is a
 * snapshot; pages may come and go while it is taken.
 *
 * Return: the number of bits set.
 */
unsigned long faultmem_store_residency(struct faultmem_dev *fdev,
				       pgoff_t first, unsigned long nr,
				       u8 *bitmap)
{
	XA_STATE(xas, &faultmem_mapping(fdev)->i_pages, first);
	pgoff_t last = first + nr - 1;
	unsigned long count = 0;
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, last) {
		pgoff_t index, end;

		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		/* A large folio covers several indices; clip to the range. */
		index = max(folio->index, first);
		end = min(folio->index + folio_nr_pages(folio) - 1, last);
		for (; index <= end; index++) {
			bitmap[(index - first) / 8] |= 1 << ((index - first) % 8);
			count++;
		}
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return count;
}
