// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only (never part of make check's suite): one passing
 * case and one that skips, as a test does when what it needs is missing.
 * No lane expects this skip (selftests/expected-skips), so a run that
 * includes this program must fail and name it.
 */
#include "kselftest_harness.h"

TEST(passes)
{
	EXPECT_EQ(1, 1);
}

TEST(skips_on_purpose)
{
	SKIP(return, "this skip is the point of the test");
}

TEST_HARNESS_MAIN
