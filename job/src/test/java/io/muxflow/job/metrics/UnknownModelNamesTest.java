package io.muxflow.job.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.adapt.ArrivalEvent;
import io.muxflow.job.adapt.ArrivalStatsOperator;
import io.muxflow.job.adapt.OutcomeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * 100,000 distinct model names no plan serves (client text on INVALID requests) create no metric
 * groups beyond one shared bucket, and no statistics windows, timers or keyed state.
 */
class UnknownModelNamesTest {
    static final int NAMES = 100_000;
    static final ModelNames PLAN = new ModelNames(List.of("a", "b"));

    /** A metric group that counts the groups and metrics registered under it, at any depth. */
    static final class CountingGroup extends UnregisteredMetricsGroup {
        final AtomicInteger groups;
        final AtomicInteger metrics;
        final List<String> labels;

        CountingGroup(AtomicInteger groups, AtomicInteger metrics, List<String> labels) {
            this.groups = groups;
            this.metrics = metrics;
            this.labels = labels;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            groups.incrementAndGet();
            labels.add(key + "=" + value);
            return new CountingGroup(groups, metrics, labels);
        }

        @Override
        public MetricGroup addGroup(String name) {
            groups.incrementAndGet();
            return new CountingGroup(groups, metrics, labels);
        }

        @Override
        public <C extends org.apache.flink.metrics.Counter> C counter(String name, C counter) {
            metrics.incrementAndGet();
            return counter;
        }

        @Override
        public <T, G extends org.apache.flink.metrics.Gauge<T>> G gauge(String name, G gauge) {
            metrics.incrementAndGet();
            return gauge;
        }

        @Override
        public <H extends org.apache.flink.metrics.Histogram> H histogram(String name, H histogram) {
            metrics.incrementAndGet();
            return histogram;
        }
    }

    @Test
    void metricsCountEveryUnknownNameInOneBucket() {
        for (boolean egress : new boolean[] {false, true}) {
            AtomicInteger groups = new AtomicInteger();
            AtomicInteger metrics = new AtomicInteger();
            List<String> labels = new ArrayList<>();
            ModelMetrics m = new ModelMetrics(new CountingGroup(groups, metrics, labels), egress, PLAN);
            for (String known : List.of("a", "b")) {
                if (egress) {
                    m.responded(known, "OK", 1000, true);
                } else {
                    m.received(known);
                }
            }
            if (egress) { // a record with no key at all
                m.responded(null, "INVALID", 10, false);
            } else {
                m.received(null);
            }
            int groupsBefore = groups.get();
            int metricsBefore = metrics.get();
            for (int i = 0; i < NAMES; i++) {
                String name = "client-text-" + i;
                if (egress) {
                    m.responded(name, "INVALID", 10, false);
                } else {
                    m.received(name);
                }
            }
            assertThat(groups.get()).as("metric groups after %d unknown names", NAMES).isEqualTo(groupsBefore);
            assertThat(metrics.get()).isEqualTo(metricsBefore);
            assertThat(m.groups()).isEqualTo(3);
            assertThat(labels).contains("model=a", "model=b", "model=" + ModelNames.UNKNOWN)
                    .noneMatch(l -> l.contains("client-text"));
        }
    }

    @Test
    void theStatisticsKeepNoWindowTimerOrStateForUnknownNames() throws Exception {
        var op = new KeyedCoProcessOperator<>(new ArrivalStatsOperator(60_000_000, 5_000_000, 500_000, PLAN));
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<String, ArrivalEvent, OutcomeEvent, Object>(
                (KeyedCoProcessOperator) op, (ArrivalEvent e) -> e.model, (OutcomeEvent e) -> e.model, Types.STRING)) {
            h.open();
            h.processElement1(new StreamRecord<>(new ArrivalEvent("a", 1_000, 500_000)));
            h.processElement2(new StreamRecord<>(new OutcomeEvent("a", 1_000, true)));
            int timers = h.numProcessingTimeTimers();
            int state = h.numKeyedStateEntries();
            assertThat(timers).isEqualTo(1);
            for (int i = 0; i < NAMES; i++) {
                h.processElement1(new StreamRecord<>(new ArrivalEvent("client-text-" + i, 2_000 + i, 500_000)));
                h.processElement2(new StreamRecord<>(new OutcomeEvent("client-text-" + i, 2_000 + i, false)));
            }
            assertThat(h.numProcessingTimeTimers()).as("timers after %d unknown names", NAMES).isEqualTo(timers);
            assertThat(h.numKeyedStateEntries()).isEqualTo(state);
            // what it emits on the next slide is about the plan's model only
            h.setProcessingTime(h.getProcessingTime() + 5_000);
            assertThat(h.extractOutputValues()).isNotEmpty().allSatisfy(e ->
                    assertThat(((io.muxflow.job.adapt.ModelStatsEvent) e).model).isEqualTo("a"));
        }
    }
}
