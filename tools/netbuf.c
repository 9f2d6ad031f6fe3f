// SPDX-License-Identifier: GPL-2.0
/* netbuf: userspace tool for the netbuf kernel module. See netbuf(8). */
#include "cli.h"

int main(int argc, char **argv)
{
	return nb_main(argc, argv);
}
