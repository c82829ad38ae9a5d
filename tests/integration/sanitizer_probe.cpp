// Test-only program for sanitizer_exit.sh: it makes the sanitizers of the
// Debug build report, so the test can prove that a report ends a process with
// the sanitizer exit status (86, from ASAN_OPTIONS / UBSAN_OPTIONS /
// LSAN_OPTIONS) and that lib.sh's helpers name it, instead of seeing the
// status 1 a test may expect from lwnet. Never part of lwnet itself.
//
// Usage: lwnet_sanitizer_probe [ARGS...] MODE   (only the last argument
// counts, so lib.sh's lwit_run_lwnet can run it in lwnet's place)
//   asan        reads past a heap block (AddressSanitizer)
//   ubsan       overflows a signed int (UndefinedBehaviorSanitizer)
//   leak        loses a heap block (LeakSanitizer, at exit)
//   term-ubsan  prints "ready", waits for SIGTERM, then overflows a signed int
//   exit1       exits 1 without any report
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace {

int heap_overflow() {
  auto block = std::make_unique<int[]>(4);
  volatile std::size_t index = 4;  // volatile: the compiler cannot see the overflow
  return block[index];
}

int signed_overflow() {
  volatile int big = std::numeric_limits<int>::max();
  return big + 1;
}

void lose_block() {
  char* block = std::make_unique<char[]>(64).release();
  block[0] = 1;
}

int overflow_on_sigterm() {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, nullptr);
  std::puts("ready");
  std::fflush(stdout);
  int signal = 0;
  sigwait(&term, &signal);
  return signed_overflow();
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[argc - 1] : "";
  if (std::strcmp(mode, "asan") == 0) return heap_overflow();
  if (std::strcmp(mode, "ubsan") == 0) return signed_overflow();
  if (std::strcmp(mode, "leak") == 0) {
    lose_block();
    return 0;
  }
  if (std::strcmp(mode, "term-ubsan") == 0) return overflow_on_sigterm();
  if (std::strcmp(mode, "exit1") == 0) return 1;
  std::fprintf(stderr, "lwnet_sanitizer_probe: unknown mode '%s'\n", mode);
  return 2;
}
