// Internal to _ECGKernels: the instruction set every kernel runs with, and the macro that
// compiles one kernel body three times (AVX-512, AVX2, baseline x86-64) behind one dispatcher.
#ifndef ECG_ISA_H
#define ECG_ISA_H

enum { ECG_ISA_BASELINE = 1, ECG_ISA_AVX2 = 2, ECG_ISA_AVX512 = 3 };

/// The instruction set in use (ECG_ISA_*): the best the CPU has, or the one ECGXAI_ISA pins.
int ecg_isa_level(void);

#if (defined(__x86_64__) || defined(__i386__)) && defined(__clang__)
#define ECG_X86_DISPATCH 1
/// Defines `void NAME PARAMS` that runs the body following the macro compiled for the chosen
/// instruction set. The body is inlined into each per-target copy, so the compiler vectorises
/// it with that target's registers. Usage:
///   ECG_MULTIVERSION(ecg_relu, (long n, const float *restrict x, float *restrict out),
///                    (n, x, out)) { for (...) ... }
#define ECG_MULTIVERSION(name, params, args)                                                   \
  static inline __attribute__((always_inline)) void name##_body params;                     \
  __attribute__((target("avx512f"))) static void name##_avx512 params { name##_body args; } \
  __attribute__((target("avx2"))) static void name##_avx2 params { name##_body args; }      \
  static void name##_baseline params { name##_body args; }                                  \
  void name params {                                                                        \
    switch (ecg_isa_level()) {                                                              \
    case ECG_ISA_AVX512: name##_avx512 args; return;                                        \
    case ECG_ISA_AVX2: name##_avx2 args; return;                                            \
    default: name##_baseline args; return;                                                  \
    }                                                                                       \
  }                                                                                         \
  static inline __attribute__((always_inline)) void name##_body params
#else
#define ECG_MULTIVERSION(name, params, args) void name params
#endif

#endif
