/*
 * start/: the composition root. The boot entries (pvh.c, pv.c) fill the neutral
 * struct boot_info; kern_start (start.c) brings the layers up in order
 * and wires each to what it needs from the others. The only folder that
 * may include every layer.
 */
#ifndef ATMAN_START_H
#define ATMAN_START_H

#include <stdint.h>

/* pvh.c: entered from arch/x86_64/boot.S */
void pvh_entry(uint64_t start_info_paddr);

/* pv.c: entered from arch/x86_64/pvboot.S */
struct start_info;
struct boot_info;
void pv_entry(const struct start_info *si, uintptr_t boot_end);
/* start_info into b: memory (the image at [img0, img1), the bootstrap
 * region up to boot_end reserved), command line, module */
void pv_boot_info(const struct start_info *si, uintptr_t img0, uintptr_t img1,
		  uintptr_t boot_end, struct boot_info *b);

#endif
