// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runner self-test only: crash the guest kernel through sysrq. With
 * panic=-1 and -no-reboot QEMU then exits at once, with status 0 like a
 * clean poweroff, so only the missing sentinel can reveal the crash.
 */
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0 || write(fd, "c", 1) != 1)
		return 1;
	return 0;
}
