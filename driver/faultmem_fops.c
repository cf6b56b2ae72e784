// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: file operations of /dev/faultmemN.
 *
 * Everything here makes the node behave like a regular file whose contents
 * are the device buffer: llseek knows the size, read() and write() go
 * through the same page cache as the mappings (the ioctls, which stand in
 * for ftruncate() and fallocate(), are in faultmem_ioctl.c).
 */
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/huge_mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uio.h>

#include <faultmem.h>

#include "compat.h"
#include "faultmem_dev.h"

/**
 * faultmem_open() - attach an open file to its device's buffer
 * @inode: the device node's inode (one per node; not the one with the pages)
 * @file: the new open file; misc_open() left the miscdevice in private_data
 *
 * Pointing f_mapping at the device's own address_space makes every VMA of
 * every open file join that address_space's rmap tree, whatever node it
 * was opened through, so resize and hole punching can find them all.
 *
 * Return: 0.
 */
static int faultmem_open(struct inode *inode, struct file *file)
{
	struct faultmem_dev *fdev = container_of(file->private_data,
						 struct faultmem_dev, misc);

	file->private_data = fdev;
	file->f_mapping = faultmem_mapping(fdev);
	return 0;
}

/**
 * faultmem_llseek() - lseek() of the node, as for a file of the buffer's size
 * @file: the open file
 * @offset: the offset asked for
 * @whence: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE
 *
 * SEEK_END is relative to the size, and seeking past it is fine.
 * SEEK_DATA and SEEK_HOLE see the pages never written (or punched out
 * since) as holes, page by page, as tmpfs does.
 *
 * Return: the new position, -EINVAL for a negative one, or -ENXIO for
 * SEEK_DATA or SEEK_HOLE at or past the end, or SEEK_DATA with no data
 * after @offset.
 */
static loff_t faultmem_llseek(struct file *file, loff_t offset, int whence)
{
	struct faultmem_dev *fdev = file->private_data;

	switch (whence) {
	case SEEK_DATA:
	case SEEK_HOLE:
		offset = faultmem_store_seek_data_hole(fdev, offset, whence);
		if (offset < 0)
			return offset;
		return vfs_setpos(file, offset, MAX_LFS_FILESIZE);
	default:
		return generic_file_llseek_size(file, offset, whence,
						MAX_LFS_FILESIZE,
						faultmem_size(fdev));
	}
}

/*
 * Copy from a folio to @to, a page at a time through a temporary kernel
 * mapping. Never copy_folio_to_iter(): on 6.1 it hands the page itself to
 * a pipe (splice), which would then hold a reference to the device's page
 * for as long as the data sits in the pipe, and see later writes to it.
 * A file's bytes spliced into a pipe are a copy of what was read.
 */
static size_t faultmem_copy_folio_to_iter(struct folio *folio, size_t offset,
					  size_t bytes, struct iov_iter *to)
{
	size_t done = 0;

	while (done < bytes) {
		size_t at = offset + done;
		size_t step = min_t(size_t, bytes - done,
				    PAGE_SIZE - offset_in_page(at));
		void *kaddr = kmap_local_folio(folio, at);
		size_t copied = copy_to_iter(kaddr, step, to);

		kunmap_local(kaddr);
		done += copied;
		if (copied < step)
			break;
	}
	return done;
}

/**
 * faultmem_read_iter() - read() and pread() of the buffer
 * @iocb: position and file
 * @to: destination
 *
 * A page that was never touched reads as zeroes without being allocated.
 * We hold only a folio reference while copying, no lock: the destination
 * may itself be an unpopulated mapping of this device, and its fault must
 * be free to take the invalidate lock.
 *
 * While the device has fault-injection rules, each page the call reaches
 * is one access for them (faultmem_inject_io()); a page under a rule is
 * never part of a large folio, so a large folio's first page speaks for
 * all of them.
 *
 * Return: bytes read (0 at or past the end; short across the end or
 * before a page a rule fails), -EFAULT if nothing could be copied, or
 * what a rule answered for the first page (-EIO, -EINTR).
 */
static ssize_t faultmem_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct faultmem_dev *fdev = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0;

	while (iov_iter_count(to)) {
		u64 size = faultmem_size(fdev);
		size_t chunk, copied;
		struct folio *folio;

		if (pos >= size)
			break;
		if (unlikely(faultmem_inject_active(fdev))) {
			int err = faultmem_inject_io(fdev, pos >> PAGE_SHIFT,
						     false);

			if (err) {
				if (!done)
					done = err;
				break;
			}
		}
		/* A whole folio at a time: PMD-size for a huge one. */
		folio = faultmem_get_folio(faultmem_mapping(fdev),
					   pos >> PAGE_SHIFT);
		if (folio) {
			size_t offset = offset_in_folio(folio, pos);

			chunk = min3(folio_size(folio) - offset,
				     iov_iter_count(to), (size_t)(size - pos));
			copied = faultmem_copy_folio_to_iter(folio, offset,
							     chunk, to);
			folio_put(folio);
		} else {
			chunk = min3(PAGE_SIZE - offset_in_page(pos),
				     iov_iter_count(to), (size_t)(size - pos));
			copied = iov_iter_zero(chunk, to);
		}

		pos += copied;
		done += copied;
		if (copied < chunk) {
			if (!done)
				done = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}

	iocb->ki_pos = pos;
	return done;
}

/**
 * faultmem_write_one() - copy user data into the folio at @pos
 * @fdev: the device
 * @pos: byte position
 * @bytes: how much the caller would like written; cut at the end of the
 *	folio at @pos (a page, or PMD-size for a huge one) and of the buffer
 * @from: source
 * @folio_bytes: set to the size of the folio at @pos
 *
 * The copy runs with the folio locked and page faults disabled
 * (faultmem_copy_folio_from_iter_atomic(), compat.h), because the source
 * may be a mapping of this very folio: faulting it in here would deadlock
 * on the folio lock.
 * The caller faults the source in beforehand and retries a short copy.
 *
 * Return: bytes copied (possibly 0), -ENOSPC at or past the end, or
 * -ENOMEM.
 */
static ssize_t faultmem_write_one(struct faultmem_dev *fdev, loff_t pos,
				  size_t bytes, struct iov_iter *from,
				  size_t *folio_bytes)
{
	struct address_space *mapping = faultmem_mapping(fdev);
	struct folio *folio;
	size_t offset;
	bool allocated;
	ssize_t copied;
	u64 size;

	filemap_invalidate_lock_shared(mapping);
	size = faultmem_size(fdev);
	if (pos >= size) {
		copied = -ENOSPC;
		goto unlock;
	}

	folio = faultmem_store_get_folio(fdev, pos >> PAGE_SHIFT, NULL,
					 &allocated);
	if (IS_ERR(folio)) {
		copied = PTR_ERR(folio);
		goto unlock;
	}
	*folio_bytes = folio_size(folio);
	offset = offset_in_folio(folio, pos);
	bytes = min3((u64)bytes, size - pos, (u64)(*folio_bytes - offset));
	copied = faultmem_copy_folio_from_iter_atomic(folio, offset, bytes,
						      from);
	flush_dcache_folio(folio);
	folio_unlock(folio);
	folio_put(folio);
unlock:
	filemap_invalidate_unlock_shared(mapping);
	return copied;
}

/**
 * faultmem_write_iter() - write() and pwrite() of the buffer
 * @iocb: position and file
 * @from: source
 *
 * A folio at a time. The source must be faulted in before the folio is
 * locked, and the size of the next folio is not known yet: guess that it
 * is as large as the last one. So a step after a base page faults in up
 * to the end of the page (faulting in more on every step would touch each
 * source page many times), and a step after a huge folio up to the end
 * of its PMD-size block; a wrong guess costs one short step.
 *
 * Each page reached is one access for the fault-injection rules, however
 * many steps its copy takes.
 *
 * Return: bytes written (short across the end or before a page a rule
 * fails), or -ENOSPC when starting at or past the end, -EFAULT or -ENOMEM
 * when nothing was written, or what a rule answered for the first page
 * (-EIO, -ENOSPC, -EINTR).
 */
static ssize_t faultmem_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct faultmem_dev *fdev = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	size_t span = PAGE_SIZE;	/* the size of the last folio written */
	pgoff_t checked = ULONG_MAX;	/* the last page the rules saw */
	ssize_t done = 0, ret = 0;

	if (iocb->ki_flags & IOCB_APPEND)
		pos = faultmem_size(fdev);

	while (iov_iter_count(from)) {
		size_t chunk = min_t(size_t, span - (pos & (span - 1)),
				     iov_iter_count(from));

		if (unlikely(faultmem_inject_active(fdev)) &&
		    pos >> PAGE_SHIFT != checked && pos < faultmem_size(fdev)) {
			checked = pos >> PAGE_SHIFT;
			ret = faultmem_inject_io(fdev, checked, true);
			if (ret)
				break;
		}

		if (fault_in_iov_iter_readable(from, chunk) == chunk) {
			ret = -EFAULT;
			break;
		}
		ret = faultmem_write_one(fdev, pos, chunk, from, &span);
		if (ret < 0)
			break;
		/* ret == 0: the source was unmapped again; fault it back in. */
		pos += ret;
		done += ret;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}

	iocb->ki_pos = pos;
	return done ? done : ret;
}

const struct file_operations faultmem_fops = {
	.owner		= THIS_MODULE,
	.open		= faultmem_open,
	.llseek		= faultmem_llseek,
	.read_iter	= faultmem_read_iter,
	.write_iter	= faultmem_write_iter,
	/*
	 * A RAM buffer has nothing to write back: fsync(), fdatasync() and
	 * msync(MS_SYNC) succeed at once, as on tmpfs. The data is as safe
	 * as it will ever be when write() returns.
	 */
	.fsync		= noop_fsync,
	/*
	 * splice() and sendfile() through read_iter and write_iter; reads of
	 * holes give zeroes without allocating (FAULTMEM_SPLICE_READ is
	 * compat.h's name for the kernel's copying splice read).
	 */
	.splice_read	= FAULTMEM_SPLICE_READ,
	.splice_write	= iter_file_splice_write,
	/* faultmem_mmap() or, from 6.16, faultmem_mmap_prepare(). */
	FAULTMEM_FOPS_MMAP,
	/*
	 * Mappings of PMD size or more start on a PMD boundary (in address
	 * and in offset), so a PMD-size folio can be mapped with one PMD.
	 * NULL on kernels without transparent huge pages.
	 */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl	= faultmem_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};
