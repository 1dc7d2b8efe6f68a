#include <stdio.h>
#include "_ECGKernels.h"
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

typedef float v16 __attribute__((vector_size(64), aligned(4)));

#define MICRO_KERNEL_BODY                                                                   \
  v16 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};                     \
  v16 c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};                     \
  for (long p = 0; p < kc; p++) {                                                           \
    v16 b0, b1;                                                                             \
    memcpy(&b0, b + p * 32, 64);                                                            \
    memcpy(&b1, b + p * 32 + 16, 64);                                                       \
    const float *ap = a + p * 6;                                                            \
    c00 += ap[0] * b0; c01 += ap[0] * b1;                                                   \
    c10 += ap[1] * b0; c11 += ap[1] * b1;                                                   \
    c20 += ap[2] * b0; c21 += ap[2] * b1;                                                   \
    c30 += ap[3] * b0; c31 += ap[3] * b1;                                                   \
    c40 += ap[4] * b0; c41 += ap[4] * b1;                                                   \
    c50 += ap[5] * b0; c51 += ap[5] * b1;                                                   \
  }                                                                                         \
  v16 tile[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};              \
  if (rows == 6 && cols == 32) {                                                            \
    for (int r = 0; r < 6; r++) {                                                           \
      float *row = c + r * ldc;                                                             \
      v16 lo = tile[2 * r], hi = tile[2 * r + 1];                                           \
      if (accumulate) {                                                                     \
        v16 old0, old1;                                                                     \
        memcpy(&old0, row, 64);                                                             \
        memcpy(&old1, row + 16, 64);                                                        \
        lo += old0;                                                                         \
        hi += old1;                                                                         \
      }                                                                                     \
      memcpy(row, &lo, 64);                                                                 \
      memcpy(row + 16, &hi, 64);                                                            \
    }                                                                                       \
    return;                                                                                 \
  }                                                                                         \
  const float *values = (const float *)tile;                                                \
  for (int r = 0; r < rows; r++) {                                                          \
    for (int j = 0; j < cols; j++) {                                                        \
      float v = values[r * 32 + j];                                                         \
      if (accumulate) c[r * ldc + j] += v; else c[r * ldc + j] = v;                         \
    }                                                                                       \
  }

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f,fma")))
static void micro_avx512(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                         int cols, int accumulate) { MICRO_KERNEL_BODY }

__attribute__((target("avx2,fma")))
static void micro_avx2(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                       int cols, int accumulate) { MICRO_KERNEL_BODY }
#endif

static void micro_baseline(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                           int cols, int accumulate) { MICRO_KERNEL_BODY }

typedef void (*micro_fn)(long, const float *, const float *, float *, long, int, int, int);

static micro_fn selected = 0;
static const char *selected_name = "baseline";

static void select_kernel(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    selected_name = "avx512f";
    selected = micro_avx512;
    return;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    selected_name = "avx2+fma";
    selected = micro_avx2;
    return;
  }
#endif
  selected_name = "baseline";
  selected = micro_baseline;
}

void ecg_sgemm_micro_6x32(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                          int cols, int accumulate) {
  micro_fn fn = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
  if (!fn) {
    select_kernel();
    fn = selected;
  }
  fn(kc, a, b, c, ldc, rows, cols, accumulate);
}

const char *ecg_sgemm_micro_isa(void) {
  if (!__atomic_load_n(&selected, __ATOMIC_ACQUIRE)) select_kernel();
  return selected_name;
}

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
