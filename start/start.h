/*
 * start/: the composition root. The boot entries (pvh.c) fill the neutral
 * struct boot_info; kern_start (start.c) brings the layers up in order
 * and wires each to what it needs from the others. The only folder that
 * may include every layer.
 */
#ifndef ATMAN_START_H
#define ATMAN_START_H

#include <stdint.h>

/* pvh.c: entered from arch/x86_64/boot.S */
void pvh_entry(uint64_t start_info_paddr);

#endif
