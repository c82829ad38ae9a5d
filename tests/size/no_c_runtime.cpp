// For the socket-API row of the Cortex-M size check (tests/size/run.sh),
// linked without a C library or start-up files: the one symbol the
// compiler's own objects would define there. Static objects with
// destructors register them with __cxa_atexit(..., &__dso_handle); crtbegin.o
// normally defines it, and the linker refuses to leave it undefined.
extern "C" {
void* __dso_handle = nullptr;
}
