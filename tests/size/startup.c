/* Reset vector of the size probe: copy .data, then newlib's _start (which
   clears .bss, asks the host for the heap through semihosting and calls
   main). Written for QEMU's mps2-an386 board. */
#include <stdint.h>

extern uint32_t __etext, __data_start__, __data_end__, __stack;
extern void _start(void);

void probe_reset(void) {
  uint32_t* from = &__etext;
  for (uint32_t* to = &__data_start__; to < &__data_end__;) *to++ = *from++;
  _start();
  for (;;) {
  }
}

static void probe_fault(void) {
  for (;;) {
  }
}

__attribute__((section(".vectors"), used)) const void* const probe_vectors[16] = {
    &__stack, (const void*)probe_reset, (const void*)probe_fault, (const void*)probe_fault,
    (const void*)probe_fault, (const void*)probe_fault, (const void*)probe_fault,
};
