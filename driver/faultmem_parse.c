// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: parsing of values written by people: sizes ("16M", "4096",
 * "1G\n") and huge-page policies ("within_size").
 *
 * memparse() would accept "12abc" as 12; module parameters and sysfs
 * writes must instead reject anything that is not exactly a number, so
 * that a typo fails loudly and changes nothing.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "faultmem_dev.h"

/* Room for U64_MAX in decimal (20 digits) and a terminating NUL. */
#define FAULTMEM_SIZE_DIGITS	21

static unsigned int faultmem_suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K':
		return 10;
	case 'm': case 'M':
		return 20;
	case 'g': case 'G':
		return 30;
	default:
		return 0;
	}
}

/**
 * faultmem_parse_size() - parse a byte count with an optional K/M/G suffix
 * @buf: decimal digits, then optionally one of K, M, G (either case,
 *	 powers of 1024), then optionally one newline
 * @result: the value in bytes, written only on success
 *
 * Return: 0, -EINVAL for anything else (empty, signs, spaces, garbage), or
 * -ERANGE when the value does not fit in 64 bits.
 */
int faultmem_parse_size(const char *buf, u64 *result)
{
	char digits[FAULTMEM_SIZE_DIGITS];
	size_t len = strlen(buf);
	unsigned int shift = 0;
	u64 value;
	int err;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len) {
		shift = faultmem_suffix_shift(buf[len - 1]);
		if (shift)
			len--;
	}
	if (!len || len >= sizeof(digits) || !isdigit(buf[0]))
		return -EINVAL;

	memcpy(digits, buf, len);
	digits[len] = '\0';
	err = kstrtou64(digits, 10, &value);
	if (err)
		return err;
	if (value > (U64_MAX >> shift))
		return -ERANGE;

	*result = value << shift;
	return 0;
}

/* Indexed by enum faultmem_huge. */
static const char * const faultmem_huge_names[] = {
	[FAULTMEM_HUGE_NEVER]		= "never",
	[FAULTMEM_HUGE_ALWAYS]		= "always",
	[FAULTMEM_HUGE_WITHIN_SIZE]	= "within_size",
};

/**
 * faultmem_parse_huge() - parse a huge-page policy
 * @buf: "never", "always" or "within_size", optionally newline-terminated
 *
 * Return: the enum faultmem_huge value, -EINVAL for any other string, or
 * -EOPNOTSUPP for a policy other than "never" on a kernel built without
 * transparent huge pages.
 */
int faultmem_parse_huge(const char *buf)
{
	int huge = sysfs_match_string(faultmem_huge_names, buf);

	if (huge > FAULTMEM_HUGE_NEVER &&
	    !IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		return -EOPNOTSUPP;
	return huge;
}

/**
 * faultmem_show_huge() - format the policies, the current one in brackets
 * @buf: a sysfs page
 * @huge: the current enum faultmem_huge value
 *
 * The format of /sys/kernel/mm/transparent_hugepage/shmem_enabled:
 * "[never] always within_size".
 *
 * Return: bytes written.
 */
ssize_t faultmem_show_huge(char *buf, enum faultmem_huge huge)
{
	ssize_t len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(faultmem_huge_names); i++)
		len += sysfs_emit_at(buf, len, i == huge ? "%s[%s]" : "%s%s",
				     i ? " " : "", faultmem_huge_names[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
