/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _GC_VERSION_H
#define _GC_VERSION_H

#define GC_VERSION "0.1.0"

#endif /* _GC_VERSION_H */
