package io.muxflow.gpu.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;

import io.muxflow.gpu.backend.DeviceLedger;
import io.muxflow.gpu.backend.ExecutorException;
import io.muxflow.gpu.backend.InputChecks;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.model.StageWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * The {@code cuda} backend: the same forward pass as the cpu backend on a GPU, weights uploaded once
 * at load, activations in a reusable device workspace, GEMMs on cuBLAS (fp32) or the project's own
 * tiled kernel, everything else in the kernels of {@code kernels.cu}. Every device allocation goes
 * through the device's ledger; {@link #close} frees them all.
 */
public final class CudaStageExecutor implements StageExecutor {
    private final CudaDevice dev;
    private final CudaOps ops;
    private final ModelConfig config;
    private final StageSpec stage;
    private final DeviceLedger ledger;
    private final long weightBytes;
    private final List<DeviceArray> owned = new ArrayList<>();
    private final Map<String, DeviceArray> workspace = new HashMap<>();
    private final Map<Long, DeviceKv> sessions = new HashMap<>();
    private final Emb emb;
    private final List<Layer> layers = new ArrayList<>();
    private final Head head;
    private boolean closed;

    private record Emb(DeviceArray tokens, DeviceArray positions, DeviceArray type0, DeviceArray lnG, DeviceArray lnB) {
    }

    private record Layer(DeviceArray wQkv, DeviceArray bQkv, DeviceArray wO, DeviceArray bO, DeviceArray ln1G,
            DeviceArray ln1B, DeviceArray w1, DeviceArray b1, DeviceArray w2, DeviceArray b2, DeviceArray ln2G,
            DeviceArray ln2B) {
    }

    private record Head(DeviceArray pool, DeviceArray poolB, DeviceArray lnG, DeviceArray lnB, DeviceArray lmHead) {
    }

    /** A decoder session's keys and values on the device, per block of this stage. */
    private final class DeviceKv {
        final DeviceArray[] k;
        final DeviceArray[] v;
        int tokens;

        DeviceKv(int blocks) {
            k = new DeviceArray[blocks];
            v = new DeviceArray[blocks];
        }

        void ensure(int layer, int rows) {
            long need = (long) rows * config.hidden();
            if (k[layer] == null || k[layer].elements < need) {
                long cap = Math.max(need, k[layer] == null ? 16L * config.hidden() : k[layer].elements * 2);
                k[layer] = grow(k[layer], cap);
                v[layer] = grow(v[layer], cap);
            }
        }

        private DeviceArray grow(DeviceArray old, long cap) {
            DeviceArray n = new DeviceArray(cap, ledger);
            if (old != null) {
                cuMemcpyDtoD(n.ptr, old.ptr, (long) tokens * config.hidden() * Sizeof.FLOAT);
                old.close();
            }
            return n;
        }

        void free() {
            for (int l = 0; l < k.length; l++) {
                if (k[l] != null) {
                    k[l].close();
                    v[l].close();
                }
            }
        }
    }

    CudaStageExecutor(CudaDevice dev, StageWeights w, DeviceLedger ledger) {
        this.dev = dev;
        this.ops = new CudaOps(dev);
        this.config = w.config();
        this.stage = w.stage();
        this.ledger = ledger;
        dev.makeCurrent();
        long before = ledger.used();
        try {
            StageWeights.Embeddings e = w.embeddings();
            emb = e == null ? null : new Emb(up(e.tokens()), up(e.positions()), up(e.type0()), up(e.lnG()), up(e.lnB()));
            for (StageWeights.Layer l : w.layers()) {
                layers.add(new Layer(up(l.wQkv()), up(l.bQkv()), up(l.wO()), up(l.bO()), up(l.ln1G()), up(l.ln1B()),
                        up(l.w1()), up(l.b1()), up(l.w2()), up(l.b2()), up(l.ln2G()), up(l.ln2B())));
            }
            StageWeights.Head h = w.head();
            if (h == null) {
                head = null;
            } else {
                DeviceArray lm = h.lmHead() == null ? null
                        : e != null && h.lmHead() == e.tokens() ? emb.tokens() : up(h.lmHead());
                head = new Head(up(h.pool()), up(h.poolB()), up(h.lnG()), up(h.lnB()), lm);
            }
        } catch (CudaException ex) {
            owned.forEach(DeviceArray::close);
            throw new ExecutorException("cuda: loading " + stage + " of " + config.name() + " failed: " + ex.getMessage(), ex);
        }
        this.weightBytes = ledger.used() - before;
    }

    private DeviceArray up(float[] host) {
        if (host == null) {
            return null;
        }
        DeviceArray a = DeviceArray.of(host, ledger);
        owned.add(a);
        return a;
    }

    private DeviceArray ws(String name, long elements) {
        DeviceArray a = workspace.get(name);
        if (a == null || a.elements < elements) {
            if (a != null) {
                a.close();
            }
            a = new DeviceArray(Math.max(elements, a == null ? 0 : a.elements * 2), ledger);
            workspace.put(name, a);
        }
        return a;
    }

    @Override
    public String backend() {
        return "cuda";
    }

    @Override
    public ModelConfig model() {
        return config;
    }

    @Override
    public StageSpec stage() {
        return stage;
    }

    @Override
    public synchronized StageBatch run(StageBatch in) {
        if (closed) {
            throw new ExecutorException("cuda " + stage + " of " + config.name() + " is closed");
        }
        InputChecks.check(config, stage, in);
        dev.makeCurrent();
        try {
            return forward(in);
        } catch (CudaException e) {
            throw new ExecutorException("cuda: " + config.name() + " " + stage + " failed: " + e.getMessage(), e);
        }
    }

    private StageBatch forward(StageBatch in) {
        int h = config.hidden();
        int ff = config.intermediate();
        int rows = in.totalRows();
        int n = in.size();
        int[] off = new int[n + 1];
        for (int i = 0; i < n; i++) {
            off[i + 1] = off[i] + in.item(i).length();
        }
        DeviceKv[] kv = sessionsFor(in);
        DeviceArray x = ws("x", (long) rows * h);
        if (stage.first() && in.item(0).tokens() != null) {
            int[] tok = new int[rows];
            int[] pos = new int[rows];
            int r = 0;
            for (StageItem it : in.items()) {
                for (int t = 0; t < it.length(); t++, r++) {
                    tok[r] = it.tokens()[t];
                    pos[r] = it.position() + t;
                }
            }
            DeviceArray dt = ws("tok", rows);
            DeviceArray dp = ws("pos", rows);
            dt.upload(tok, rows);
            dp.upload(pos, rows);
            ops.embed(x.ptr, dt.ptr, dp.ptr, emb.tokens().ptr, emb.positions().ptr,
                    emb.type0() == null ? null : emb.type0().ptr, rows, h);
            if (emb.lnG() != null) {
                ops.layerNorm(x.ptr, x.ptr, emb.lnG().ptr, emb.lnB().ptr, rows, h, config.layerNormEps());
            }
        } else {
            float[] host = new float[rows * h];
            for (int i = 0; i < n; i++) {
                System.arraycopy(in.item(i).data(), 0, host, off[i] * h, in.item(i).length() * h);
            }
            x.upload(host, host.length);
        }
        DeviceArray qkv = ws("qkv", (long) rows * 3 * h);
        DeviceArray ctx = ws("ctx", (long) rows * h);
        DeviceArray o = ws("o", (long) rows * h);
        DeviceArray a = ws("a", (long) rows * h);
        DeviceArray f = ws("f", (long) rows * ff);
        DeviceArray y = ws("y", (long) rows * h);
        boolean gpt = config.arch() == ModelConfig.Arch.GPT2;
        for (int li = 0; li < layers.size(); li++) {
            Layer l = layers.get(li);
            CUdeviceptr src = x.ptr;
            if (gpt) {
                ops.layerNorm(a.ptr, x.ptr, l.ln1G().ptr, l.ln1B().ptr, rows, h, config.layerNormEps());
                src = a.ptr;
            }
            ops.gemm(src, l.wQkv().ptr, l.bQkv().ptr, qkv.ptr, rows, h, 3 * h);
            for (int i = 0; i < n; i++) {
                StageItem it = in.item(i);
                int len = it.length();
                CUdeviceptr q = CudaOps.at(qkv.ptr, (long) off[i] * 3 * h);
                CUdeviceptr c = CudaOps.at(ctx.ptr, (long) off[i] * h);
                if (gpt && kv[i] != null) {
                    DeviceKv s = kv[i];
                    s.ensure(li, s.tokens + len);
                    ops.copyRows(CudaOps.at(s.k[li].ptr, (long) s.tokens * h), CudaOps.at(q, h), len, h, 3 * h);
                    ops.copyRows(CudaOps.at(s.v[li].ptr, (long) s.tokens * h), CudaOps.at(q, 2L * h), len, h, 3 * h);
                    ops.attention(c, h, q, 3 * h, s.k[li].ptr, s.v[li].ptr, h, len, s.tokens + len, it.position(), true,
                            config.heads(), config.headDim());
                } else {
                    ops.attention(c, h, q, 3 * h, CudaOps.at(q, h), CudaOps.at(q, 2L * h), 3 * h, len, len, 0, gpt,
                            config.heads(), config.headDim());
                }
            }
            ops.gemm(ctx.ptr, l.wO().ptr, l.bO().ptr, o.ptr, rows, h, h);
            ops.addInPlace(o.ptr, x.ptr, (long) rows * h);
            CUdeviceptr mlpIn = o.ptr;
            if (gpt) {
                ops.layerNorm(a.ptr, o.ptr, l.ln2G().ptr, l.ln2B().ptr, rows, h, config.layerNormEps());
                mlpIn = a.ptr;
            } else {
                ops.layerNorm(o.ptr, o.ptr, l.ln1G().ptr, l.ln1B().ptr, rows, h, config.layerNormEps());
            }
            ops.gemm(mlpIn, l.w1().ptr, l.b1().ptr, f.ptr, rows, h, ff);
            ops.unary(gpt ? "gelu_tanh" : "gelu_erf", f.ptr, (long) rows * ff);
            ops.gemm(f.ptr, l.w2().ptr, l.b2().ptr, y.ptr, rows, ff, h);
            ops.addInPlace(y.ptr, o.ptr, (long) rows * h);
            if (!gpt) {
                ops.layerNorm(y.ptr, y.ptr, l.ln2G().ptr, l.ln2B().ptr, rows, h, config.layerNormEps());
            }
            DeviceArray t = x;
            x = y;
            y = t;
            workspace.put("x", x);
            workspace.put("y", y);
        }
        if (gpt) {
            for (int i = 0; i < n; i++) {
                if (kv[i] != null) {
                    kv[i].tokens += in.item(i).length();
                }
            }
        }
        if (!stage.last()) {
            return rowsOut(x, in, off, h);
        }
        if (gpt) {
            ops.layerNorm(x.ptr, x.ptr, head.lnG().ptr, head.lnB().ptr, rows, h, config.layerNormEps());
        }
        if (config.output() == ModelConfig.Output.TOKENS) {
            return rowsOut(x, in, off, h);
        }
        int[] pick = new int[n];
        for (int i = 0; i < n; i++) {
            pick[i] = config.output() == ModelConfig.Output.POOLED ? off[i] : off[i + 1] - 1;
        }
        DeviceArray idx = ws("idx", n);
        idx.upload(pick, n);
        DeviceArray sel = ws("sel", (long) n * h);
        ops.gatherRows(sel.ptr, x.ptr, idx.ptr, n, h);
        int width = config.outputWidth();
        DeviceArray out = ws("out", (long) n * width);
        if (config.output() == ModelConfig.Output.POOLED) {
            ops.gemm(sel.ptr, head.pool().ptr, head.poolB().ptr, out.ptr, n, h, h);
            ops.unary("tanh_inplace", out.ptr, (long) n * h);
        } else {
            ops.gemmTransposed(sel.ptr, head.lmHead().ptr, out.ptr, n, h, config.vocab());
        }
        cuCtxSynchronize();
        float[] host = out.download(n * width);
        List<StageItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StageItem it = in.item(i);
            float[] d = new float[width];
            System.arraycopy(host, i * width, d, 0, width);
            items.add(StageItem.ofData(it.session(), it.position() + it.length() - 1, 1, d));
        }
        return new StageBatch(items, width);
    }

    private StageBatch rowsOut(DeviceArray x, StageBatch in, int[] off, int h) {
        cuCtxSynchronize();
        float[] host = x.download(in.totalRows() * h);
        List<StageItem> items = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            float[] d = new float[it.length() * h];
            System.arraycopy(host, off[i] * h, d, 0, d.length);
            items.add(StageItem.ofData(it.session(), it.position(), it.length(), d));
        }
        return new StageBatch(items, h);
    }

    private DeviceKv[] sessionsFor(StageBatch in) {
        DeviceKv[] out = new DeviceKv[in.size()];
        if (config.arch() != ModelConfig.Arch.GPT2) {
            return out;
        }
        for (int i = 0; i < in.size(); i++) {
            StageItem it = in.item(i);
            if (it.session() == 0) {
                continue;
            }
            DeviceKv s = sessions.get(it.session());
            int have = s == null ? 0 : s.tokens;
            if (it.position() != have) {
                throw new ExecutorException(config.name() + " " + stage + ": item " + i + ": session " + it.session()
                        + " holds " + have + " tokens, but the item starts at position " + it.position());
            }
            if (s == null) {
                s = new DeviceKv(layers.size());
                sessions.put(it.session(), s);
            }
            out[i] = s;
        }
        return out;
    }

    @Override
    public synchronized long deviceMemoryBytes() {
        if (closed) {
            return 0;
        }
        long n = weightBytes;
        for (DeviceArray a : workspace.values()) {
            n += a.bytes();
        }
        for (DeviceKv s : sessions.values()) {
            for (int l = 0; l < s.k.length; l++) {
                if (s.k[l] != null) {
                    n += s.k[l].bytes() + s.v[l].bytes();
                }
            }
        }
        return n;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public synchronized void release(long session) {
        DeviceKv s = sessions.remove(session);
        if (s != null) {
            dev.makeCurrent();
            s.free();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        dev.makeCurrent();
        sessions.values().forEach(DeviceKv::free);
        sessions.clear();
        workspace.values().forEach(DeviceArray::close);
        workspace.clear();
        owned.forEach(DeviceArray::close);
        owned.clear();
    }
}
