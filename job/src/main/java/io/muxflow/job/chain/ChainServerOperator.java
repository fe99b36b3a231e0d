package io.muxflow.job.chain;

import io.muxflow.gpu.backend.Backends;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.plan.ChainDeployment;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain servers of one LLM: subtask i is server i of the plan's chains section, with one device
 * slot; see {@link ChainServer}. Work arrives from the hop topic (partitioned by server); work for
 * the next server (or the first server's next decode step) goes out on the main output to the hop
 * topic, tokens and job ends to {@link #EVENTS}. An emulated pass ends through the task's mailbox
 * (a timer thread only wakes it), so every callback runs on the task thread as Flink requires.
 * Metrics per server: jobs in service and their peak per chain against its capacity, cache use
 * against the allocation, and the hop latency (send to receive: the runtime's RTT), in µs, whole
 * and split into its Kafka leg (send to the topic source reading it) and the leg inside the job.
 */
public final class ChainServerOperator extends AbstractStreamOperator<ChainHop>
        implements OneInputStreamOperator<ChainHop, ChainHop> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ChainServerOperator.class);
    public static final OutputTag<ChainHop> EVENTS = new OutputTag<>("chain-events") {
        private static final long serialVersionUID = 1L;
    };

    private final JobSpec spec;
    private final String llm;
    private transient ChainServer server;
    private transient Histogram hopUs;
    private transient Histogram hopKafkaUs;
    private transient Histogram hopInJobUs;
    private transient MailboxExecutor mailbox;
    private transient ScheduledThreadPoolExecutor timer;
    private transient ChainServer.Out out;

    public ChainServerOperator(JobSpec spec, String llm) {
        this.spec = spec;
        this.llm = llm;
    }

    @Override
    public void open() throws Exception {
        super.open();
        ServingPlan plan = new ServingPlan(spec);
        ChainDeployment dep = plan.chain(llm);
        int id = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        boolean emulated = spec.backend().equals("emulated");
        StageExecutorFactory factory = emulated ? null
                : Backends.create(spec.backend(), 0, spec.cpuThreads(), null, spec.emulatedTimeScale());
        server = new ChainServer(dep, id, plan.chainConfig(llm), factory,
                emulated ? null : ModelCatalog.weights(dep.profile(), spec.modelStore()), spec.emulatedTimeScale());
        mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        if (emulated) {
            timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "muxflow-chain-server-" + id + "-timer");
                t.setDaemon(true);
                return t;
            });
        }
        out = new ChainServer.Out() {
            @Override
            public void hop(ChainHop next) {
                output.collect(new StreamRecord<>(next));
            }

            @Override
            public void event(ChainHop e) {
                output.collect(EVENTS, new StreamRecord<>(e));
            }

            @Override
            public void after(long delayNanos, Runnable r) {
                timer.schedule(() -> mailbox.execute(r::run, "emulated chain pass"), delayNanos, TimeUnit.NANOSECONDS);
            }
        };
        var g = getRuntimeContext().getMetricGroup().addGroup("chainServer", Integer.toString(id));
        g.gauge("cacheUsed", (Gauge<Integer>) server::used);
        g.gauge("cacheCapacity", (Gauge<Integer>) server::capacity);
        g.gauge("cacheWaits", (Gauge<Long>) server::cacheWaits);
        for (int c = 0; c < dep.chains().size(); c++) {
            if (contains(dep.chains().get(c).servers(), id)) {
                int chain = c;
                var cg = g.addGroup("chain", Integer.toString(c));
                cg.gauge("jobsInService", (Gauge<Integer>) () -> server.jobs(chain));
                cg.gauge("peakJobsInService", (Gauge<Integer>) () -> server.peakJobsPerChain().getOrDefault(chain, 0));
                cg.gauge("capacity", (Gauge<Integer>) () -> dep.chains().get(chain).capacity());
            }
        }
        hopUs = g.histogram("hopLatencyUs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        hopKafkaUs = g.histogram("hopKafkaUs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        hopInJobUs = g.histogram("hopInJobUs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        ChainDeployment.Server me = dep.servers().get(id);
        LOG.info("chain server {} of '{}': blocks [{}, {}) of {} on {}, cache for {} block-jobs", id, llm, me.start(),
                me.start() + me.count(), dep.blocks(), spec.backend(), server.capacity());
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void processElement(StreamRecord<ChainHop> record) {
        ChainHop h = record.getValue();
        if (h.sentUs > 0) {
            long now = Clocks.nowUs();
            hopUs.update(Math.max(0, now - h.sentUs));
            if (h.readUs > 0) {
                hopKafkaUs.update(Math.max(0, h.readUs - h.sentUs));
                hopInJobUs.update(Math.max(0, now - h.readUs));
            }
        }
        server.process(h, out);
    }

    @Override
    public void close() throws Exception {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        super.close();
    }
}
