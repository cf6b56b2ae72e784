// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only (never part of make check's suite): one passing
 * and one failing kselftest case. A run that includes this program must
 * end with a non-zero status and a failed count of at least one.
 */
#include "kselftest_harness.h"

TEST(passes)
{
	EXPECT_EQ(1, 1);
}

TEST(fails_on_purpose)
{
	EXPECT_EQ(1, 2) TH_LOG("this failure is the point of the test");
}

TEST_HARNESS_MAIN
