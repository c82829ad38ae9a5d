/* lwIP's <lwip/arch.h> on lwnet: the fixed-width integer names lwIP code
 * uses (u8_t, s16_t, u32_t, mem_ptr_t, ...), as aliases of <stdint.h>'s
 * types, and the LWIP_UNUSED_ARG helper. Included by the other lwip/
 * headers; nothing here needs the stack to run. */
#ifndef LWNET_LWIP_ARCH_H
#define LWNET_LWIP_ARCH_H

#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8_t;
typedef int8_t s8_t;
typedef uint16_t u16_t;
typedef int16_t s16_t;
typedef uint32_t u32_t;
typedef int32_t s32_t;
typedef uint64_t u64_t;
typedef int64_t s64_t;
typedef uintptr_t mem_ptr_t;

#ifndef LWIP_UNUSED_ARG
#define LWIP_UNUSED_ARG(x) (void)(x)
#endif

/* printf formats for those types, as lwIP names them. */
#ifndef U16_F
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"
#endif

#endif /* LWNET_LWIP_ARCH_H */
