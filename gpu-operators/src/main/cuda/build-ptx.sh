#!/usr/bin/env bash
# Compiles every .cu file in $1 to PTX in $2 when nvcc is available; otherwise says so and succeeds.
set -euo pipefail
src="$1"; out="$2"
NVCC="$(command -v nvcc || true)"
[ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
if [ -z "$NVCC" ]; then
  echo "[gpu-operators] nvcc not found: building without CUDA kernels (the cuda backend will report itself unavailable)"
  exit 0
fi
mkdir -p "$out"
for f in "$src"/*.cu; do
  name="$(basename "$f" .cu)"
  if [ ! -f "$out/$name.ptx" ] || [ "$f" -nt "$out/$name.ptx" ]; then
    # compute_75 is the oldest virtual architecture CUDA 13 supports; the driver JIT-compiles it for the GPU.
    "$NVCC" -ptx -O3 -arch=compute_75 -o "$out/$name.ptx" "$f" || {
      echo "[gpu-operators] nvcc failed on $f: building without CUDA kernels"; rm -f "$out/$name.ptx"; exit 0; }
  fi
done
echo "[gpu-operators] compiled CUDA kernels to PTX with $NVCC"
