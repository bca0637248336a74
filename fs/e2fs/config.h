/*
 * libext2fs's configuration in the kernel (what e2fsprogs' configure
 * would find): musl's headers, no threads of libext2fs's own (fs/ext.c
 * holds one lock around every call), memory and stdio from
 * fs/ext_libc.c.
 */
#define HAVE_UNISTD_H	     1
#define HAVE_SYS_TYPES_H     1
#define HAVE_SYS_STAT_H	     1
#define HAVE_ERRNO_H	     1
#define HAVE_STDLIB_H	     1
#define HAVE_STRDUP	     1
#define HAVE_STRNLEN	     1
#define HAVE_POSIX_MEMALIGN  1
#define HAVE_SYS_TIME_H	     1
#define HAVE_TYPE_SSIZE_T    1
#define HAVE_SYS_SYSMACROS_H 1
#define HAVE_INTTYPES_H	     1
#define ENABLE_HTREE	     1
#define CONFIG_MMP	     1
