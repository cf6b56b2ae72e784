// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem: parsing of sizes written by people ("16M", "4096", "1G\n").
 *
 * memparse() would accept "12abc" as 12; module parameters and sysfs
 * writes must instead reject anything that is not exactly a number, so
 * that a typo fails loudly and changes nothing.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>

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
