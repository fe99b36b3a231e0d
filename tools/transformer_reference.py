#!/usr/bin/env python3
"""Independent numpy forward passes of a BERT encoder and a GPT-2 decoder with Hugging Face tensor
names and layouts, used to produce the golden outputs muxflow's cpu backend is tested against
(gpu-operators/src/test/resources/reference/). Weights are random (seeded), stored as safetensors
(BERT in F32, GPT-2 in F16 to exercise conversion); math in float64.

Usage: transformer_reference.py OUT_DIR            (bert and gpt2)
       transformer_reference.py OUT_DIR gpt2-chain (a 6-block GPT-2 and its greedy generations, for the
                                                    chain path: tokens recomputed from the whole prefix
                                                    at every step, no KV cache)
"""
import json
import math
import struct
import sys

import numpy as np


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        data = arr.astype(np.float16 if dtype == "F16" else np.float32).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu_erf(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def attention(q, k, v, heads, causal):
    L, h = q.shape
    d = h // heads
    out = np.zeros_like(q)
    for a in range(heads):
        s = q[:, a*d:(a+1)*d] @ k[:, a*d:(a+1)*d].T / math.sqrt(d)
        if causal:
            s = s + np.triu(np.full(s.shape, -np.inf), 1)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        out[:, a*d:(a+1)*d] = s @ v[:, a*d:(a+1)*d]
    return out


def bert(out_dir, rng):
    L, h, heads, ff, vocab, pos = 3, 32, 4, 64, 97, 40
    W = {}
    def p(name, *shape, scale=0.2, one=False):
        W[name] = (1 + 0.1 * rng.standard_normal(shape)) if one else scale * rng.standard_normal(shape)
    p("embeddings.word_embeddings.weight", vocab, h); p("embeddings.position_embeddings.weight", pos, h)
    p("embeddings.token_type_embeddings.weight", 2, h)
    p("embeddings.LayerNorm.weight", h, one=True); p("embeddings.LayerNorm.bias", h)
    for l in range(L):
        pre = f"encoder.layer.{l}."
        for x in ("query", "key", "value"):
            p(pre + f"attention.self.{x}.weight", h, h); p(pre + f"attention.self.{x}.bias", h)
        p(pre + "attention.output.dense.weight", h, h); p(pre + "attention.output.dense.bias", h)
        p(pre + "attention.output.LayerNorm.weight", h, one=True); p(pre + "attention.output.LayerNorm.bias", h)
        p(pre + "intermediate.dense.weight", ff, h); p(pre + "intermediate.dense.bias", ff)
        p(pre + "output.dense.weight", h, ff); p(pre + "output.dense.bias", h)
        p(pre + "output.LayerNorm.weight", h, one=True); p(pre + "output.LayerNorm.bias", h)
    p("pooler.dense.weight", h, h); p("pooler.dense.bias", h)
    W = {k: v.astype(np.float32).astype(np.float64) for k, v in W.items()}
    # checkpoint of a BertModel head class: names carry the "bert." prefix
    write_safetensors(f"{out_dir}/bert.safetensors", {"bert." + k: v for k, v in W.items()}, "F32")
    json.dump({"model_type": "bert", "hidden_size": h, "num_hidden_layers": L, "num_attention_heads": heads,
               "intermediate_size": ff, "vocab_size": vocab, "max_position_embeddings": pos, "type_vocab_size": 2,
               "layer_norm_eps": 1e-12}, open(f"{out_dir}/bert.json", "w"))
    inputs = [[1, 5, 7, 96, 0, 33, 12], [4, 4, 4], [90]]
    outs = []
    for toks in inputs:
        x = W["embeddings.word_embeddings.weight"][toks] + W["embeddings.position_embeddings.weight"][:len(toks)] \
            + W["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], 1e-12)
        for l in range(L):
            pre = f"encoder.layer.{l}."
            lin = lambda a, n: a @ W[pre + n + ".weight"].T + W[pre + n + ".bias"]
            q, k, v = lin(x, "attention.self.query"), lin(x, "attention.self.key"), lin(x, "attention.self.value")
            a = lin(attention(q, k, v, heads, False), "attention.output.dense")
            x = layer_norm(x + a, W[pre + "attention.output.LayerNorm.weight"], W[pre + "attention.output.LayerNorm.bias"], 1e-12)
            f = lin(gelu_erf(lin(x, "intermediate.dense")), "output.dense")
            x = layer_norm(x + f, W[pre + "output.LayerNorm.weight"], W[pre + "output.LayerNorm.bias"], 1e-12)
        pooled = np.tanh(x[0] @ W["pooler.dense.weight"].T + W["pooler.dense.bias"])
        outs.append({"tokens": toks, "pooled": pooled.tolist(), "last_hidden": x.tolist()})
    json.dump(outs, open(f"{out_dir}/bert-expected.json", "w"))


def gpt2_weights(rng, L, h, ff, vocab, pos):
    W = {}
    def p(name, *shape, scale=0.2, one=False):
        W[name] = (1 + 0.1 * rng.standard_normal(shape)) if one else scale * rng.standard_normal(shape)
    p("wte.weight", vocab, h); p("wpe.weight", pos, h)
    for l in range(L):
        pre = f"h.{l}."
        p(pre + "ln_1.weight", h, one=True); p(pre + "ln_1.bias", h)
        p(pre + "attn.c_attn.weight", h, 3 * h); p(pre + "attn.c_attn.bias", 3 * h)
        p(pre + "attn.c_proj.weight", h, h); p(pre + "attn.c_proj.bias", h)
        p(pre + "ln_2.weight", h, one=True); p(pre + "ln_2.bias", h)
        p(pre + "mlp.c_fc.weight", h, ff); p(pre + "mlp.c_fc.bias", ff)
        p(pre + "mlp.c_proj.weight", ff, h); p(pre + "mlp.c_proj.bias", h)
    p("ln_f.weight", h, one=True); p("ln_f.bias", h)
    # stored as F16: the reference computes with the same rounded values
    return {k: v.astype(np.float16).astype(np.float64) for k, v in W.items()}


def gpt2(out_dir, rng):
    L, h, heads, ff, vocab, pos = 2, 32, 4, 128, 101, 48
    W = gpt2_weights(rng, L, h, ff, vocab, pos)
    write_safetensors(f"{out_dir}/gpt2.safetensors", W, "F16")
    json.dump({"model_type": "gpt2", "n_embd": h, "n_layer": L, "n_head": heads, "n_inner": ff, "vocab_size": vocab,
               "n_positions": pos, "layer_norm_epsilon": 1e-5}, open(f"{out_dir}/gpt2.json", "w"))
    inputs = [[3, 17, 100, 42, 8], [7]]
    outs = []
    for toks in inputs:
        logits = gpt2_forward(W, toks, L, h, heads)
        outs.append({"tokens": toks, "logits": logits.tolist()})
    json.dump(outs, open(f"{out_dir}/gpt2-expected.json", "w"))


def gpt2_forward(W, toks, L, h, heads):
    x = W["wte.weight"][toks] + W["wpe.weight"][:len(toks)]
    for l in range(L):
        pre = f"h.{l}."
        a = layer_norm(x, W[pre + "ln_1.weight"], W[pre + "ln_1.bias"], 1e-5)
        qkv = a @ W[pre + "attn.c_attn.weight"] + W[pre + "attn.c_attn.bias"]
        q, k, v = qkv[:, :h], qkv[:, h:2*h], qkv[:, 2*h:]
        x = x + attention(q, k, v, heads, True) @ W[pre + "attn.c_proj.weight"] + W[pre + "attn.c_proj.bias"]
        m = layer_norm(x, W[pre + "ln_2.weight"], W[pre + "ln_2.bias"], 1e-5)
        x = x + gelu_tanh(m @ W[pre + "mlp.c_fc.weight"] + W[pre + "mlp.c_fc.bias"]) @ W[pre + "mlp.c_proj.weight"] \
            + W[pre + "mlp.c_proj.bias"]
    x = layer_norm(x, W["ln_f.weight"], W["ln_f.bias"], 1e-5)
    return x[-1] @ W["wte.weight"].T


def gpt2_chain(out_dir, rng):
    """A 6-block GPT-2 (deep enough to split over three chain servers) and greedy generations from it."""
    L, h, heads, ff, vocab, pos = 6, 32, 4, 128, 101, 64
    W = gpt2_weights(rng, L, h, ff, vocab, pos)
    write_safetensors(f"{out_dir}/gpt2-chain.safetensors", W, "F16")
    json.dump({"model_type": "gpt2", "n_embd": h, "n_layer": L, "n_head": heads, "n_inner": ff, "vocab_size": vocab,
               "n_positions": pos, "layer_norm_epsilon": 1e-5}, open(f"{out_dir}/gpt2-chain.json", "w"))
    outs = []
    for prompt in ([5, 9, 77], [12], [60, 3, 3, 41, 99, 0, 17]):
        toks = list(prompt)
        first_logits = None
        for step in range(6):
            logits = gpt2_forward(W, toks, L, h, heads)
            if first_logits is None:
                first_logits = logits
            toks.append(int(np.argmax(logits)))
        outs.append({"prompt": prompt, "greedy": toks[len(prompt):], "first_logits": first_logits.tolist()})
    json.dump(outs, open(f"{out_dir}/gpt2-chain-expected.json", "w"))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "gpt2-chain":
        gpt2_chain(sys.argv[1], np.random.default_rng(11))
    else:
        rng = np.random.default_rng(7)
        bert(sys.argv[1], rng)
        gpt2(sys.argv[1], rng)
    print("written to", sys.argv[1])
