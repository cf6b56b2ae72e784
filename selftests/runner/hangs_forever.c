// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only: a "test" that never returns, so the VM never
 * reaches its end-of-run sentinel and the host's timeout must fire.
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
