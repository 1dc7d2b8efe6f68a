#include "_ECGKernels.h"
#include "isa.h"
#include <string.h>

// Element-wise kernels of the forward/backward passes (ReLU gates, residual sums, LRP's
// stabilised division), GEMM packing and im2col rows. In C so that `restrict` lets the compiler
// vectorise them; each body is compiled for AVX-512, AVX2 and baseline x86-64 and runs with the
// instruction set of ecg_isa_level() (isa.h), the same one as the GEMM's micro-kernel.
ECG_MULTIVERSION(ecg_relu_gate, (long n, const float *restrict g, const float *restrict gate,
                 float *restrict out),
                 (n, g, gate, out)) {
  for (long i = 0; i < n; i++) out[i] = gate[i] > 0 ? g[i] : 0;
}

ECG_MULTIVERSION(ecg_add_relu, (long n, const float *restrict a, const float *restrict b,
                 float *restrict out),
                 (n, a, b, out)) {
  for (long i = 0; i < n; i++) {
    float v = a[i] + b[i];
    out[i] = v > 0 ? v : 0;
  }
}

ECG_MULTIVERSION(ecg_relu, (long n, const float *restrict x, float *restrict out),
                 (n, x, out)) {
  for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
}

ECG_MULTIVERSION(ecg_stabilised_divide, (long n, const float *restrict r, const float *restrict z,
                 float epsilon, float *restrict out),
                 (n, r, z, epsilon, out)) {
  for (long i = 0; i < n; i++) {
    float zi = z[i];
    out[i] = r[i] / (zi + (zi < 0 ? -epsilon : epsilon));
  }
}

ECG_MULTIVERSION(ecg_add, (long n, const float *restrict a, const float *restrict b,
                 float *restrict out),
                 (n, a, b, out)) {
  for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

ECG_MULTIVERSION(ecg_subtract, (long n, const float *restrict a, const float *restrict b,
                 float *restrict out),
                 (n, a, b, out)) {
  for (long i = 0; i < n; i++) out[i] = a[i] - b[i];
}

ECG_MULTIVERSION(ecg_multiply, (long n, const float *restrict a, const float *restrict b,
                 float *restrict out),
                 (n, a, b, out)) {
  for (long i = 0; i < n; i++) out[i] = a[i] * b[i];
}

ECG_MULTIVERSION(ecg_accumulate, (long n, const float *restrict a, float *restrict out),
                 (n, a, out)) {
  for (long i = 0; i < n; i++) out[i] += a[i];
}

ECG_MULTIVERSION(ecg_multiply_in_place, (long n, const float *restrict a, float *restrict out),
                 (n, a, out)) {
  for (long i = 0; i < n; i++) out[i] *= a[i];
}

// A convolution's epilogue on one output row: x[i] += value, and with `relu` x[i] = max(x[i], 0)
// as Swift's max(v, 0) computes it (0 >= v ? 0 : v, so a NaN stays NaN).
ECG_MULTIVERSION(ecg_add_scalar, (long n, float value, int relu, float *restrict x),
                 (n, value, relu, x)) {
  if (relu) {
    for (long i = 0; i < n; i++) {
      float v = x[i] + value;
      x[i] = 0 >= v ? 0 : v;
    }
  } else {
    for (long i = 0; i < n; i++) x[i] += value;
  }
}

// Average pooling without padding over `rows` rows of `length` samples: window `kernel`, step
// `stride`, `outLength` outputs per row; each window summed in order, then divided by its length.
ECG_MULTIVERSION(ecg_avg_pool, (long rows, long length, long outLength, long kernel, long stride,
                 const float *restrict x, float *restrict y),
                 (rows, length, outLength, kernel, stride, x, y)) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * length;
    float *yr = y + r * outLength;
    long t = 0;
    if (kernel == 2 && stride == 2) {
      // The residual shortcut's AvgPool1d(2, 2): the same sums and divisions, without the
      // window loop, so the compiler vectorises it.
      long whole = length / 2 < outLength ? length / 2 : outLength;
      for (; t < whole; t++) yr[t] = (0.0f + xr[2 * t] + xr[2 * t + 1]) / 2.0f;
    }
    for (; t < outLength; t++) {
      long start = t * stride, end = start + kernel < length ? start + kernel : length;
      float sum = 0;
      for (long j = start; j < end; j++) sum += xr[j];
      yr[t] = sum / (float)(end - start);
    }
  }
}

// The adjoint of ecg_avg_pool: every window's upstream value, divided by the window's length,
// added to the samples it covered (gx is accumulated into, not overwritten).
ECG_MULTIVERSION(ecg_avg_pool_backward, (long rows, long length, long outLength, long kernel,
                 long stride, const float *restrict g, float *restrict gx),
                 (rows, length, outLength, kernel, stride, g, gx)) {
  for (long r = 0; r < rows; r++) {
    const float *gr = g + r * outLength;
    float *xr = gx + r * length;
    for (long t = 0; t < outLength; t++) {
      long start = t * stride, end = start + kernel < length ? start + kernel : length;
      float share = gr[t] / (float)(end - start);
      for (long j = start; j < end; j++) xr[j] += share;
    }
  }
}

// y += a · x in double precision, with the product rounded before the sum (no FMA contraction),
// so the result is the same bits as Swift's `y[i] += a * x[i]` on every instruction set.
ECG_MULTIVERSION(ecg_daxpy, (long n, double a, const double *restrict x, double *restrict y),
                 (n, a, x, y)) {
#pragma clang fp contract(off)
  for (long i = 0; i < n; i++) y[i] += a * x[i];
}

// GEMM packing (see _GEMMKernel.swift). Rows [i0, i0 + mc) × columns [p0, p0 + kc) of op(A)
// into 6-row panels: for each p the 6 values op(A)[i0 + 6r + 0..5, p0 + p], zero past mc.
ECG_MULTIVERSION(ecg_pack_a, (const float *restrict a, long lda, int transposed, long i0, long mc,
                 long p0, long kc, float *restrict packed),
                 (a, lda, transposed, i0, mc, p0, kc, packed)) {
  for (long start = 0; start < mc; start += 6) {
    long rows = mc - start < 6 ? mc - start : 6;
    for (long p = 0; p < kc; p++) {
      for (long r = 0; r < 6; r++) {
        long i = i0 + start + r, col = p0 + p;
        packed[r] = r < rows ? (transposed ? a[col * lda + i] : a[i * lda + col]) : 0.0f;
      }
      packed += 6;
    }
  }
}

// Rows [p0, p0 + kc) × columns [j0, j0 + nc) of op(B) into 32-column panels, zero past nc, each
// value multiplied by alpha (alpha = 1 copies).
ECG_MULTIVERSION(ecg_pack_b, (const float *restrict b, long ldb, int transposed, long p0, long kc,
                 long j0, long nc, float alpha, float *restrict packed),
                 (b, ldb, transposed, p0, kc, j0, nc, alpha, packed)) {
  for (long start = 0; start < nc; start += 32) {
    long columns = nc - start < 32 ? nc - start : 32;
    if (!transposed && columns == 32 && alpha == 1.0f) {
      // The common case (a full panel of a convolution's column matrix): one 128-byte row copy
      // per p, which the compiler emits as four (AVX2) or two (AVX-512) vector moves.
      const float *source = b + p0 * ldb + j0 + start;
      for (long p = 0; p < kc; p++) {
        memcpy(packed, source, 32 * sizeof(float));
        source += ldb;
        packed += 32;
      }
      continue;
    }
    for (long p = 0; p < kc; p++) {
      long row = p0 + p;
      if (!transposed) {
        const float *source = b + row * ldb + j0 + start;
        for (long c = 0; c < columns; c++) packed[c] = source[c];
      } else {
        for (long c = 0; c < columns; c++) packed[c] = b[(j0 + start + c) * ldb + row];
      }
      for (long c = columns; c < 32; c++) packed[c] = 0.0f;
      if (alpha != 1.0f) {
        for (long c = 0; c < 32; c++) packed[c] *= alpha;
      }
      packed += 32;
    }
  }
}

// The outputs t in [*begin, *end) ⊆ [0, outLength) whose position t·stride + offset lies in
// [0, length): the im2col row and its adjoint touch the signal only there.
static inline void inside_signal(long outLength, long offset, long stride, long length,
                                 long *begin, long *end) {
  long first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  long last = length - offset <= 0 ? 0 : (length - offset + stride - 1) / stride;
  if (first > outLength) first = outLength;
  if (last > outLength) last = outLength;
  if (last < first) last = first;
  *begin = first;
  *end = last;
}

// One im2col row of a strided convolution: row[t] = x[t·stride + offset], 0 outside [0, length).
ECG_MULTIVERSION(ecg_strided_row, (const float *restrict x, long length, long offset, long stride,
                 long outLength, float *restrict row),
                 (x, length, offset, stride, outLength, row)) {
  // Outputs [begin, end) read inside the signal; those before and after are zero padding.
  long begin, end;
  inside_signal(outLength, offset, stride, length, &begin, &end);
  for (long t = 0; t < begin; t++) row[t] = 0.0f;
  if (stride == 2) {
    const float *source = x + offset;
    for (long t = begin; t < end; t++) row[t] = source[2 * t];
  } else {
    for (long t = begin; t < end; t++) row[t] = x[t * stride + offset];
  }
  for (long t = end; t < outLength; t++) row[t] = 0.0f;
}

// Max pooling of `rows` rows of `length` samples with zero-free padding (padded positions never
// win): y[r, t] = max over the window [t·stride − padding, … + kernel) ∩ [0, length), index[r, t]
// = the position of the first maximum, or of the last NaN in the window (a NaN wins, as PyTorch's
// max pooling propagates NaN).
ECG_MULTIVERSION(ecg_max_pool, (long rows, long length, long outLength, long kernel, long stride,
                                long padding, const float *restrict x, float *restrict y,
                                int *restrict index),
                 (rows, length, outLength, kernel, stride, padding, x, y, index)) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * length;
    float *yr = y + r * outLength;
    int *ir = index + r * outLength;
    long t = 0;
    if (kernel == 2 && stride == 2 && padding == 0) {
      // lenet1d's MaxPool1d(2): the same choice as the loop below (the second sample wins when
      // it is larger or NaN), written without branches so that it vectorises.
      long whole = length / 2 < outLength ? length / 2 : outLength;
      for (; t < whole; t++) {
        float first = xr[2 * t], second = xr[2 * t + 1];
        int takeSecond = (second > first) | (second != second);
        yr[t] = takeSecond ? second : first;
        ir[t] = (int)(2 * t) + takeSecond;
      }
    }
    for (; t < outLength; t++) {
      long start = t * stride - padding;
      long first = start > 0 ? start : 0;
      long end = start + kernel < length ? start + kernel : length;
      float best = -__builtin_inff();
      long bestIndex = first;
      for (long j = first; j < end; j++) {
        float v = xr[j];
        if (v > best || v != v) {
          best = v;
          bestIndex = j;
        }
      }
      yr[t] = best;
      ir[t] = (int)bestIndex;
    }
  }
}

// The adjoint of ecg_strided_row: x[t·stride + offset] += row[t] for the outputs whose position
// lies in [0, length) (col2im of a strided convolution's input gradient, one kernel tap).
ECG_MULTIVERSION(ecg_strided_row_add, (const float *restrict row, long outLength, long offset,
                                       long stride, long length, float *restrict x),
                 (row, outLength, offset, stride, length, x)) {
  long begin, end;
  inside_signal(outLength, offset, stride, length, &begin, &end);
  for (long t = begin; t < end; t++) x[t * stride + offset] += row[t];
}
