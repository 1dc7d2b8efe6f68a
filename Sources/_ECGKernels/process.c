// The two libc process settings ecgxai makes (malloc thresholds, line-buffered stdout).
#include "_ECGKernels.h"
#include <stdio.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int ecg_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return 1;
#else
  return 0;
#endif
}

void ecg_line_buffered_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
