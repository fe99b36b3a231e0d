/* Measures this machine's single-precision FMA peak: independent AVX2 (or scalar) FMA chains per thread.
 * Built and run by `muxflow bench executors`; prints GFLOP/s for the given thread count. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define CHAINS 12
typedef __m256 vec;
#define LANES 8
#define SET1(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#else
#define CHAINS 12
typedef float vec;
#define LANES 1
#define SET1(x) (x)
#define FMA(a, b, c) ((a) * (b) + (c))
#endif
static long iters = 50000000L;
static volatile float sink;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void* work(void* arg) {
    (void)arg;
    vec acc[CHAINS], a = SET1(1.0000001f), b = SET1(0.9999999f);
    for (int i = 0; i < CHAINS; i++) acc[i] = SET1((float)i);
    for (long it = 0; it < iters; it++)
        for (int i = 0; i < CHAINS; i++) acc[i] = FMA(acc[i], a, b);
    float s = 0;
    for (int i = 0; i < CHAINS; i++) { float tmp[LANES]; *(vec*)tmp = acc[i]; s += tmp[0]; }
    sink = s;
    return 0;
}
int main(int argc, char** argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    pthread_t t[256];
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], 0, work, 0);
    for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
    double s = now() - t0;
    printf("%.3f\n", (double)threads * iters * CHAINS * LANES * 2 / s / 1e9);
    return 0;
}
