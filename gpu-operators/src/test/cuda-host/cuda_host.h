// Runs CUDA C kernels on the CPU, for tests on machines without a GPU: one OS thread per CUDA
// thread, blocks one after another, __syncthreads() a barrier across the block's threads, a
// function's __shared__ arrays static (so shared by the block's threads), dynamic shared memory
// one buffer filled with NaN before each launch (so a read of a slot no thread wrote shows).
// Only what muxflow's kernels use: no warp intrinsics, no atomics.
#pragma once
#include <barrier>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
inline std::barrier<>* cuda_host_barrier = nullptr;
inline std::vector<float> cuda_host_dynamic_smem;

#define __global__
#define __device__
#define __shared__ static

inline void __syncthreads() { cuda_host_barrier->arrive_and_wait(); }
inline int min(int a, int b) { return a < b ? a : b; }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }

/** Launches {@code kernel} (a call of the kernel with its arguments) on a grid of blocks. */
inline void launch(dim3 grid, dim3 block, std::size_t dynamicSmemBytes, const std::function<void()>& kernel) {
    gridDim = grid;
    blockDim = block;
    cuda_host_dynamic_smem.assign(dynamicSmemBytes / sizeof(float) + 1, std::numeric_limits<float>::quiet_NaN());
    for (unsigned by = 0; by < grid.y; by++) {
        for (unsigned bx = 0; bx < grid.x; bx++) {
            std::barrier<> bar(static_cast<std::ptrdiff_t>(block.x * block.y));
            cuda_host_barrier = &bar;
            std::vector<std::thread> threads;
            for (unsigned ty = 0; ty < block.y; ty++) {
                for (unsigned tx = 0; tx < block.x; tx++) {
                    threads.emplace_back([=, &kernel] {
                        blockIdx = dim3{bx, by, 1};
                        threadIdx = dim3{tx, ty, 1};
                        kernel();
                    });
                }
            }
            for (auto& t : threads) {
                t.join();
            }
        }
    }
}
