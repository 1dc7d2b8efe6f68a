// Which instruction set the kernels run with: the best this CPU supports, unless ECGXAI_ISA pins
// one (avx512, avx2, baseline; auto or unset = the best). A pinned set the CPU lacks is not used:
// the best supported one runs instead and ecg_isa_problem() says why (the CLI refuses to start).
#include "_ECGKernels.h"
#include "isa.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int chosen_level = 0;  // 0: not chosen yet
static int best_level = 0;
static char problem[256];

static int detect_best(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ECG_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return ECG_ISA_AVX2;
#endif
  return ECG_ISA_BASELINE;
}

static const char *level_name(int level) {
  switch (level) {
  case ECG_ISA_AVX512: return "avx512f";
  case ECG_ISA_AVX2: return "avx2+fma";
  default: return "baseline";
  }
}

static int choose(void) {
  int best = detect_best();
  __atomic_store_n(&best_level, best, __ATOMIC_RELAXED);
  const char *request = getenv("ECGXAI_ISA");
  if (!request || !*request || !strcasecmp(request, "auto")) return best;
  int wanted = 0;
  if (!strcasecmp(request, "avx512") || !strcasecmp(request, "avx512f")) wanted = ECG_ISA_AVX512;
  else if (!strcasecmp(request, "avx2") || !strcasecmp(request, "avx2+fma")) wanted = ECG_ISA_AVX2;
  else if (!strcasecmp(request, "baseline")) wanted = ECG_ISA_BASELINE;
  if (!wanted) {
    snprintf(problem, sizeof problem,
             "ECGXAI_ISA='%.40s' is not an instruction set ecgxai knows; use avx512, avx2, "
             "baseline or auto",
             request);
    return best;
  }
  if (wanted > best) {
    snprintf(problem, sizeof problem,
             "ECGXAI_ISA=%.40s asks for %s, which this CPU lacks (it supports up to %s); unset "
             "ECGXAI_ISA or choose a set the CPU has",
             request, level_name(wanted), level_name(best));
    return best;
  }
  return wanted;
}

int ecg_isa_level(void) {
  int level = __atomic_load_n(&chosen_level, __ATOMIC_ACQUIRE);
  if (level) return level;
  // Racing first calls compute the same answer; the store is idempotent.
  level = choose();
  __atomic_store_n(&chosen_level, level, __ATOMIC_RELEASE);
  return level;
}

const char *ecg_sgemm_micro_isa(void) { return level_name(ecg_isa_level()); }

const char *ecg_isa_best(void) {
  ecg_isa_level();
  return level_name(__atomic_load_n(&best_level, __ATOMIC_RELAXED));
}

const char *ecg_isa_problem(void) {
  ecg_isa_level();
  return problem[0] ? problem : NULL;
}
