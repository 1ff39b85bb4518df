/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GC_NETLINK_H
#define _GC_NETLINK_H

int gc_genl_init(void);
void gc_genl_uninit(void);

#endif /* _GC_NETLINK_H */
