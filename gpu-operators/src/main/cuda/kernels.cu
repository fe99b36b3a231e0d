// muxflow's transformer kernels, loaded as PTX through the CUDA driver API (see CudaKernels.java).
// Row-major fp32 throughout. Each kernel states its launch shape.

#include <math_constants.h>

extern "C" {

// grid: rows, block: any. out[r] = wte[tok[r]] + wpe[pos[r]] (+ type0)
__global__ void embed(float* out, const int* tokens, const int* positions, const float* wte, const float* wpe,
                      const float* type0, int rows, int h) {
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* t = wte + (long)tokens[r] * h;
    const float* p = wpe + (long)positions[r] * h;
    for (int j = threadIdx.x; j < h; j += blockDim.x) {
        float v = t[j] + p[j];
        if (type0) v += type0[j];
        out[(long)r * h + j] = v;
    }
}

// grid: rows, block: 256 (power of two). out = (in - mean) / sqrt(var + eps) * g + b; in may equal out.
__global__ void layernorm(float* out, const float* in, const float* g, const float* b, int rows, int h, float eps) {
    __shared__ double part[256];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* x = in + (long)r * h;
    double s = 0;
    for (int j = threadIdx.x; j < h; j += blockDim.x) s += x[j];
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    double mean = part[0] / h;
    __syncthreads();
    double v = 0;
    for (int j = threadIdx.x; j < h; j += blockDim.x) { double d = x[j] - mean; v += d * d; }
    part[threadIdx.x] = v;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    double inv = rsqrt(part[0] / h + (double)eps);
    float* y = out + (long)r * h;
    for (int j = threadIdx.x; j < h; j += blockDim.x) y[j] = (float)((x[j] - mean) * inv) * g[j] + b[j];
}

// grid: ceil(rows*n/256), block 256. x[r][j] += bias[j]
__global__ void add_bias(float* x, const float* bias, int rows, int n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (long)rows * n) x[i] += bias[i % n];
}

// x += y
__global__ void add_inplace(float* x, const float* y, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += y[i];
}

__global__ void gelu_erf(float* x, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = x[i]; x[i] = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)); }
}

__global__ void gelu_tanh(float* x, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = x[i]; x[i] = 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v))); }
}

__global__ void tanh_inplace(float* x, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = tanhf(x[i]);
}

// grid: nrows, block any. out[i] = in[idx[i]] (rows of width w)
__global__ void gather_rows(float* out, const float* in, const int* idx, int nrows, int w) {
    int i = blockIdx.x;
    if (i >= nrows) return;
    for (int j = threadIdx.x; j < w; j += blockDim.x) out[(long)i * w + j] = in[(long)idx[i] * w + j];
}

// grid: rows, block any. dst row r (width w, stride w) = src row r (stride srcStride)
__global__ void copy_rows(float* dst, const float* src, int rows, int w, int srcStride) {
    int r = blockIdx.x;
    if (r >= rows) return;
    for (int j = threadIdx.x; j < w; j += blockDim.x) dst[(long)r * w + j] = src[(long)r * srcStride + j];
}

// grid: (len, heads), block: 128. One query row and head: scores over the visible keys in shared memory,
// softmax, weighted sum of values. q rows have stride qStride; k and v rows stride kvStride.
// Query r sits at absolute position pos0 + r; key t at position t. keys <= 4096.
__global__ void attention(float* ctx, int ctxStride, const float* q, int qStride, const float* k, const float* v,
                          int kvStride, int len, int keys, int pos0, int causal, int d, float scale) {
    extern __shared__ float smem[];
    float* scores = smem;              // keys
    float* red = smem + keys;          // blockDim.x
    int r = blockIdx.x, head = blockIdx.y;
    if (r >= len) return;
    int visible = causal ? min(keys, pos0 + r + 1) : keys;
    const float* qr = q + (long)r * qStride + head * d;
    for (int t = threadIdx.x; t < visible; t += blockDim.x) {
        const float* kt = k + (long)t * kvStride + head * d;
        float s = 0;
        for (int j = 0; j < d; j++) s += qr[j] * kt[j];
        scores[t] = s * scale;
    }
    __syncthreads();
    float m = -CUDART_INF_F;
    for (int t = threadIdx.x; t < visible; t += blockDim.x) m = fmaxf(m, scores[t]);
    red[threadIdx.x] = m;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] = fmaxf(red[threadIdx.x], red[threadIdx.x + w]);
        __syncthreads();
    }
    m = red[0];
    __syncthreads();
    float s = 0;
    for (int t = threadIdx.x; t < visible; t += blockDim.x) { float e = __expf(scores[t] - m); scores[t] = e; s += e; }
    red[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) red[threadIdx.x] += red[threadIdx.x + w];
        __syncthreads();
    }
    float inv = 1.0f / red[0];
    float* out = ctx + (long)r * ctxStride + head * d;
    for (int j = threadIdx.x; j < d; j += blockDim.x) {
        float acc = 0;
        for (int t = 0; t < visible; t++) acc += scores[t] * v[(long)t * kvStride + head * d + j];
        out[j] = acc * inv;
    }
}

#define TILE 32
// grid: (ceil(N/TILE), ceil(M/TILE)), block: (TILE, TILE/4). C = A B (+ bias); each thread 4 rows.
__global__ void sgemm(const float* A, const float* B, const float* bias, float* C, int M, int N, int K) {
    __shared__ float As[TILE][TILE + 1];
    __shared__ float Bs[TILE][TILE + 1];
    int col = blockIdx.x * TILE + threadIdx.x;
    int row0 = blockIdx.y * TILE + threadIdx.y * 4;
    float acc[4] = {0, 0, 0, 0};
    for (int t = 0; t < K; t += TILE) {
        for (int i = 0; i < 4; i++) {
            int ly = threadIdx.y * 4 + i;
            int ar = blockIdx.y * TILE + ly, ac = t + threadIdx.x;
            As[ly][threadIdx.x] = (ar < M && ac < K) ? A[(long)ar * K + ac] : 0.f;
            int br = t + ly, bc = col;
            Bs[ly][threadIdx.x] = (br < K && bc < N) ? B[(long)br * N + bc] : 0.f;
        }
        __syncthreads();
        for (int p = 0; p < TILE; p++) {
            float b = Bs[p][threadIdx.x];
            for (int i = 0; i < 4; i++) acc[i] += As[threadIdx.y * 4 + i][p] * b;
        }
        __syncthreads();
    }
    if (col < N) {
        for (int i = 0; i < 4; i++) {
            int r = row0 + i;
            if (r < M) C[(long)r * N + col] = acc[i] + (bias ? bias[col] : 0.f);
        }
    }
}

// grid: (ceil(N/128), M), block 128. C = A B^T with B given as N rows of K (one thread per output).
__global__ void sgemm_nt(const float* A, const float* Brows, float* C, int M, int N, int K) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i = blockIdx.y;
    if (j >= N || i >= M) return;
    const float* a = A + (long)i * K;
    const float* b = Brows + (long)j * K;
    float s = 0;
    for (int p = 0; p < K; p++) s += a[p] * b[p];
    C[(long)i * N + j] = s;
}

}
