#!/usr/bin/env python3
"""Times one BERT-base-shaped block (hidden 768, 12 heads, MLP 3072, post-LN, erf GELU; sequence 128,
batch 1, fp32) in PyTorch eager on the GPU: the reference `muxflow bench executors` compares its cuda
backend with. Prints the median milliseconds over 200 runs as the last line."""
import math
import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
dev = "cuda"
h, heads, ff, seq = 768, 12, 3072, 128
g = torch.Generator(device="cpu").manual_seed(1)
lin = lambda i, o: (torch.randn(o, i, generator=g) * 0.02).to(dev), (torch.randn(o, generator=g) * 0.02).to(dev)
wq, bq = lin(h, 3 * h)
wo, bo = lin(h, h)
w1, b1 = lin(h, ff)
w2, b2 = lin(ff, h)
ln1 = (torch.ones(h, device=dev), torch.zeros(h, device=dev))
ln2 = (torch.ones(h, device=dev), torch.zeros(h, device=dev))
x = torch.randn(seq, h, generator=g).to(dev)


def block(x):
    qkv = torch.nn.functional.linear(x, wq, bq)
    q, k, v = qkv.split(h, dim=-1)
    q, k, v = (t.view(seq, heads, h // heads).transpose(0, 1) for t in (q, k, v))
    s = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(h // heads), dim=-1)
    ctx = (s @ v).transpose(0, 1).reshape(seq, h)
    x = torch.nn.functional.layer_norm(x + torch.nn.functional.linear(ctx, wo, bo), (h,), *ln1, eps=1e-12)
    f = torch.nn.functional.gelu(torch.nn.functional.linear(x, w1, b1))
    return torch.nn.functional.layer_norm(x + torch.nn.functional.linear(f, w2, b2), (h,), *ln2, eps=1e-12)


with torch.no_grad():
    for _ in range(20):
        block(x)
    torch.cuda.synchronize()
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        block(x)
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
print(statistics.median(times))
