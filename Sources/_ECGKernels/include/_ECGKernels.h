// _ECGKernels: the register micro-kernel of ecgxai's SGEMM, in C so that the compiler emits
// fused multiply-adds (Swift does not contract `c += a * b` into FMA), and the element-wise
// kernels of the passes. Variants for AVX-512, AVX2+FMA and baseline x86-64 are compiled with
// per-function target attributes and chosen at run time by CPUID (or pinned by ECGXAI_ISA), so
// one binary runs everywhere at the best speed the CPU allows.
#ifndef ECG_KERNELS_H
#define ECG_KERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// C[rows × cols tile] (+)= A-panel (6 × kc, packed p-major) · B-panel (kc × 32, packed p-major).
/// Writes only the top-left rows × cols of the 6 × 32 tile; overwrites when accumulate == 0.
void ecg_sgemm_micro_6x32(long kc, const float *a, const float *b, float *c, long ldc,
                          int rows, int cols, int accumulate);

/// The instruction set every kernel (the micro-kernel and the element-wise ones) runs with:
/// "avx512f", "avx2+fma" or "baseline" — the best this CPU supports, or the one the environment
/// variable ECGXAI_ISA pins (avx512, avx2, baseline; auto or unset = the best).
const char *ecg_sgemm_micro_isa(void);

/// The best instruction set this CPU supports ("avx512f", "avx2+fma" or "baseline").
const char *ecg_isa_best(void);

/// Why ECGXAI_ISA was not followed (an unknown value, or a set this CPU lacks; the best supported
/// set runs instead), or NULL when it was followed or is unset.
const char *ecg_isa_problem(void);

/// glibc only: raise malloc's mmap and trim thresholds to 1 GiB so freed tensor buffers are
/// reused instead of unmapped (no-op elsewhere). Returns 1 if applied.
int ecg_keep_freed_memory(void);

/// Makes standard output line-buffered, so progress lines reach a log file or pipe as they are
/// printed (C's default there is full buffering). Call before the first output.
void ecg_line_buffered_stdout(void);

/// Element-wise kernels on n floats; `out` must not overlap the inputs (restrict).
/// out = gate > 0 ? g : 0 (a ReLU's backward from its recorded output).
void ecg_relu_gate(long n, const float *g, const float *gate, float *out);
/// out = max(a + b, 0) (residual sum and ReLU).
void ecg_add_relu(long n, const float *a, const float *b, float *out);
/// out = max(x, 0).
void ecg_relu(long n, const float *x, float *out);
/// out = r / (z + epsilon·sign z), sign(0) = +1 (LRP's stabilised division).
void ecg_stabilised_divide(long n, const float *r, const float *z, float epsilon, float *out);
/// out = a + b, a − b, a · b.
void ecg_add(long n, const float *a, const float *b, float *out);
void ecg_subtract(long n, const float *a, const float *b, float *out);
void ecg_multiply(long n, const float *a, const float *b, float *out);
/// out += a; out *= a.
void ecg_accumulate(long n, const float *a, float *out);
void ecg_multiply_in_place(long n, const float *a, float *out);
/// x += value, then with `relu` != 0 x = max(x, 0) (a NaN stays NaN): a convolution's epilogue.
void ecg_add_scalar(long n, float value, int relu, float *x);
/// Average pooling of `rows` rows of `length` samples (no padding): y [rows, outLength].
void ecg_avg_pool(long rows, long length, long outLength, long kernel, long stride,
                  const float *x, float *y);
/// Max pooling of `rows` rows (window `kernel`, step `stride`, `padding` samples that never
/// win): y and index [rows, outLength]; index holds each window's first maximum (a NaN wins).
void ecg_max_pool(long rows, long length, long outLength, long kernel, long stride, long padding,
                  const float *x, float *y, int *index);
/// GEMM packing: op(A) rows [i0, i0+mc) × columns [p0, p0+kc) into zero-padded 6-row panels.
void ecg_pack_a(const float *a, long lda, int transposed, long i0, long mc, long p0, long kc,
                float *packed);
/// op(B) rows [p0, p0+kc) × columns [j0, j0+nc) into zero-padded 32-column panels, times alpha.
void ecg_pack_b(const float *b, long ldb, int transposed, long p0, long kc, long j0, long nc,
                float alpha, float *packed);
/// One im2col row of a strided convolution: row[t] = x[t·stride + offset] (0 outside the signal).
void ecg_strided_row(const float *x, long length, long offset, long stride, long outLength,
                     float *row);
/// Its adjoint: x[t·stride + offset] += row[t] for every t whose position lies in [0, length).
void ecg_strided_row_add(const float *row, long outLength, long offset, long stride, long length,
                         float *x);
/// y += a · x (double; product rounded before the sum, as Swift computes it).
void ecg_daxpy(long n, double a, const double *x, double *y);
/// Its adjoint: gx [rows, length] += each window's g / window length.
void ecg_avg_pool_backward(long rows, long length, long outLength, long kernel, long stride,
                           const float *g, float *gx);

#ifdef __cplusplus
}
#endif
#endif
