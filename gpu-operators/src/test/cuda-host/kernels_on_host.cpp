// Checks muxflow's CUDA kernels (kernels.cu, compiled for the CPU through cuda_host.h) against plain
// reference loops, with the launch shapes CudaOps uses. Prints "ok <kernel> max error <e>" per kernel
// and exits 1 on the first mismatch. Built and run by KernelsOnHostTest.
#include "cuda_host.h"
#include "kernels_host.cu"

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {
std::mt19937 rng(7);

std::vector<float> randoms(std::size_t n, float scale = 1.0f) {
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

unsigned blocks(long n, int b) { return static_cast<unsigned>((n + b - 1) / b); }

void check(const std::string& kernel, const std::vector<float>& got, const std::vector<double>& want, double tol) {
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); i++) {
        double err = std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i]));
        if (!(err <= tol)) {
            std::printf("FAIL %s at %zu: got %.9g, want %.9g\n", kernel.c_str(), i, got[i], want[i]);
            std::exit(1);
        }
        worst = std::max(worst, err);
    }
    std::printf("ok %s max error %.3g\n", kernel.c_str(), worst);
}

void testEmbed() {
    int rows = 5, h = 37, vocab = 11, maxPos = 9;
    auto wte = randoms((std::size_t)vocab * h), wpe = randoms((std::size_t)maxPos * h), type0 = randoms(h);
    std::vector<int> tok = {3, 0, 10, 3, 7}, pos = {0, 1, 2, 8, 4};
    for (bool withType : {false, true}) {
        std::vector<float> out((std::size_t)rows * h, -1);
        launch({(unsigned)rows}, {128}, 0,
               [&] { embed(out.data(), tok.data(), pos.data(), wte.data(), wpe.data(), withType ? type0.data() : nullptr, rows, h); });
        std::vector<double> want(out.size());
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < h; j++)
                want[(std::size_t)r * h + j] = (double)wte[(std::size_t)tok[r] * h + j] + wpe[(std::size_t)pos[r] * h + j]
                        + (withType ? type0[j] : 0.0);
        check(withType ? "embed" : "embed (no token type)", out, want, 1e-6);
    }
}

void testLayernorm() {
    int rows = 3, h = 300;  // wider than the block, and not a power of two
    auto in = randoms((std::size_t)rows * h, 3.0f), g = randoms(h), b = randoms(h);
    for (int r = 0; r < rows; r++) in[(std::size_t)r * h] += 100.0f * r;  // a large mean
    std::vector<double> want(in.size());
    for (int r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int j = 0; j < h; j++) mean += in[(std::size_t)r * h + j];
        mean /= h;
        for (int j = 0; j < h; j++) var += std::pow(in[(std::size_t)r * h + j] - mean, 2);
        var /= h;
        for (int j = 0; j < h; j++)
            want[(std::size_t)r * h + j] = (in[(std::size_t)r * h + j] - mean) / std::sqrt(var + 1e-5) * g[j] + b[j];
    }
    std::vector<float> out(in.size());
    launch({(unsigned)rows}, {256}, 0, [&] { layernorm(out.data(), in.data(), g.data(), b.data(), rows, h, 1e-5f); });
    check("layernorm", out, want, 1e-5);
    std::vector<float> inPlace = in;  // in == out, as the stages call it
    launch({(unsigned)rows}, {256}, 0,
           [&] { layernorm(inPlace.data(), inPlace.data(), g.data(), b.data(), rows, h, 1e-5f); });
    check("layernorm (in place)", inPlace, want, 1e-5);
}

void testElementwise() {
    long n = 1000;
    auto x = randoms(n, 4.0f), y = randoms(n);
    std::vector<double> want(n);
    std::vector<float> sum = x;
    launch({blocks(n, 256)}, {256}, 0, [&] { add_inplace(sum.data(), y.data(), n); });
    for (long i = 0; i < n; i++) want[i] = (double)x[i] + y[i];
    check("add_inplace", sum, want, 1e-6);

    int rows = 7, cols = 45;
    auto m = randoms((std::size_t)rows * cols), bias = randoms(cols);
    std::vector<float> biased = m;
    launch({blocks((long)rows * cols, 256)}, {256}, 0, [&] { add_bias(biased.data(), bias.data(), rows, cols); });
    std::vector<double> wantBias(m.size());
    for (std::size_t i = 0; i < m.size(); i++) wantBias[i] = (double)m[i] + bias[i % cols];
    check("add_bias", biased, wantBias, 1e-6);

    struct Unary { const char* name; void (*fn)(float*, long); double (*ref)(double); };
    Unary unary[] = {
        {"gelu_erf", gelu_erf, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }},
        {"gelu_tanh", gelu_tanh,
         [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); }},
        {"tanh_inplace", tanh_inplace, [](double v) { return std::tanh(v); }},
    };
    for (const auto& u : unary) {
        std::vector<float> v = x;
        launch({blocks(n, 256)}, {256}, 0, [&] { u.fn(v.data(), n); });
        for (long i = 0; i < n; i++) want[i] = u.ref(x[i]);
        check(u.name, v, want, 1e-5);
    }
}

void testRows() {
    int w = 150, srcRows = 6;
    auto src = randoms((std::size_t)srcRows * w);
    std::vector<int> idx = {5, 0, 2, 2};
    std::vector<float> out(idx.size() * w);
    launch({(unsigned)idx.size()}, {128}, 0, [&] { gather_rows(out.data(), src.data(), idx.data(), (int)idx.size(), w); });
    std::vector<double> want(out.size());
    for (std::size_t i = 0; i < idx.size(); i++)
        for (int j = 0; j < w; j++) want[i * w + j] = src[(std::size_t)idx[i] * w + j];
    check("gather_rows", out, want, 0);

    int rows = 4, cw = 70, stride = w;  // the first 70 columns of rows of 150
    std::vector<float> dst((std::size_t)rows * cw);
    launch({(unsigned)rows}, {128}, 0, [&] { copy_rows(dst.data(), src.data(), rows, cw, stride); });
    std::vector<double> wantRows(dst.size());
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cw; j++) wantRows[(std::size_t)r * cw + j] = src[(std::size_t)r * stride + j];
    check("copy_rows", dst, wantRows, 0);
}

// Queries at positions pos0 .. pos0+len-1 over keys 0 .. keys-1, q/k/v packed in rows of 3*heads*d
// (as the fused QKV projection leaves them), context rows of heads*d.
void attentionCase(const char* name, int len, int keys, int pos0, bool causal) {
    int heads = 2, d = 8, hd = heads * d, stride = 3 * hd;
    auto qkv = randoms((std::size_t)std::max(len, keys) * stride, 2.0f);
    const float* q = qkv.data();
    const float* k = qkv.data() + hd;
    const float* v = qkv.data() + 2 * hd;
    float scale = (float)(1.0 / std::sqrt((double)d));
    std::vector<float> ctx((std::size_t)len * hd, -7);
    int threads = 128;
    launch({(unsigned)len, (unsigned)heads}, {(unsigned)threads}, (std::size_t)(keys + threads) * sizeof(float),
           [&] { attention(ctx.data(), hd, q, stride, k, v, stride, len, keys, pos0, causal ? 1 : 0, d, scale); });
    std::vector<double> want(ctx.size());
    for (int r = 0; r < len; r++) {
        int visible = causal ? std::min(keys, pos0 + r + 1) : keys;
        for (int h = 0; h < heads; h++) {
            std::vector<double> s(visible);
            double m = -INFINITY, z = 0;
            for (int t = 0; t < visible; t++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += (double)q[(std::size_t)r * stride + h * d + j] * k[(std::size_t)t * stride + h * d + j];
                s[t] = dot * scale;
                m = std::max(m, s[t]);
            }
            for (int t = 0; t < visible; t++) z += (s[t] = std::exp(s[t] - m));
            for (int j = 0; j < d; j++) {
                double acc = 0;
                for (int t = 0; t < visible; t++) acc += s[t] * v[(std::size_t)t * stride + h * d + j];
                want[(std::size_t)r * hd + h * d + j] = acc / z;
            }
        }
    }
    check(name, ctx, want, 1e-5);
}

void testSgemm() {
    int M = 70, N = 45, K = 67;  // no dimension a multiple of the 32-wide tile
    auto A = randoms((std::size_t)M * K), B = randoms((std::size_t)K * N), bias = randoms(N);
    for (bool withBias : {false, true}) {
        std::vector<float> C((std::size_t)M * N, -3);
        launch({blocks(N, 32), blocks(M, 32)}, {32, 8}, 0,
               [&] { sgemm(A.data(), B.data(), withBias ? bias.data() : nullptr, C.data(), M, N, K); });
        std::vector<double> want(C.size());
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = withBias ? bias[j] : 0;
                for (int p = 0; p < K; p++) s += (double)A[(std::size_t)i * K + p] * B[(std::size_t)p * N + j];
                want[(std::size_t)i * N + j] = s;
            }
        check(withBias ? "sgemm (bias)" : "sgemm", C, want, 1e-5);
    }
    int n = 130;  // sgemm_nt: C = A B^T, B as n rows of K
    auto Brows = randoms((std::size_t)n * K);
    int m = 3;
    std::vector<float> C((std::size_t)m * n);
    launch({blocks(n, 128), (unsigned)m}, {128}, 0, [&] { sgemm_nt(A.data(), Brows.data(), C.data(), m, n, K); });
    std::vector<double> want(C.size());
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int p = 0; p < K; p++) s += (double)A[(std::size_t)i * K + p] * Brows[(std::size_t)j * K + p];
            want[(std::size_t)i * n + j] = s;
        }
    check("sgemm_nt", C, want, 1e-5);
}
}  // namespace

int main() {
    testEmbed();
    testLayernorm();
    testElementwise();
    testRows();
    attentionCase("attention", 6, 6, 0, false);
    attentionCase("attention (causal prefill)", 6, 6, 0, true);
    attentionCase("attention (causal, cached keys)", 3, 9, 6, true);
    attentionCase("attention (more keys than threads)", 2, 300, 298, true);
    testSgemm();
    std::printf("all kernels ok\n");
    return 0;
}
