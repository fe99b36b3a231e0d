// Stand-in for CUDA's math_constants.h when kernels.cu is compiled for the CPU (cuda_host.h).
#pragma once
#include <limits>
#define CUDART_INF_F std::numeric_limits<float>::infinity()
