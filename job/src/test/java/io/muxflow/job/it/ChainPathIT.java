package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.chain.ChainFixtures;
import io.muxflow.job.control.RestClusterAccess;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.schema.GeneratedToken;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * LLM generation over a server chain, live: the serving job on a MiniCluster with a real Kafka broker,
 * gpt2-chain's 12 blocks over three cpu chain servers with uneven ranges ([0,5), [5,9), [9,12)), the
 * decode loop closed through the hop topic. Tokens equal the unsplit model's, bit for bit (greedy and
 * seeded sampling, Avro and JSON requests); with more jobs than the chain's capacity they wait, and the
 * servers' own records never show more jobs on the chain than its capacity; the token stream carries
 * every token of every generation once per step, equal to its final response; bad generation input
 * is answered INVALID with the reason.
 */
class ChainPathIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(8).build());

    static final int CAPACITY = 2;

    static InferenceRequest.Builder generate(String id, List<Integer> prompt, int n) {
        return InferenceRequest.newBuilder().setRequestId(id).setModel(ChainFixtures.LLM).setClientSendUs(Clocks.nowUs())
                .setSloUs(120_000_000L).setTokenIds(prompt).setMaxNewTokens(n);
    }

    static Map<String, List<InferenceResponse>> await(ServingHarness h, Set<String> ids, Duration timeout) {
        return KafkaClients.awaitResponses(h.kafka.bootstrapServers(), h.responses(), ids, timeout);
    }

    static GeneratedToken decodeToken(byte[] value) {
        try {
            return Encoding.sniff(value) == Encoding.JSON ? Codecs.TOKEN.decodeJson(value) : Codecs.TOKEN.decodeBinary(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void generationOverAThreeServerChain(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (ServingHarness h = new ServingHarness("chain")) {
            JobClient job = h.submit(ChainFixtures.plan(CAPACITY), ServingHarness.profiles("{\"models\": []}"));
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(h.kafka.bootstrapServers())) {
                List<Integer> prompt = List.of(464, 2068, 7586, 21831, 18045);
                KafkaClients.send(p, h.requests(), generate("greedy", prompt, 8).build(), Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("sampled", prompt, 8).setTemperature(0.8f).setTopK(20)
                        .setSeed(7).build(), Encoding.JSON);
                // more jobs than the chain holds at once: they queue
                for (int i = 0; i < 6; i++) {
                    KafkaClients.send(p, h.requests(), generate("load-" + i, List.of(100 + i, 7), 6).build(), Encoding.AVRO);
                }
                Map<String, String> bad = Map.of(
                        "bad-negative", "max_new_tokens must be >= 0",
                        "bad-context", "exceeds the context",
                        "bad-topk", "top_k must be >= 0",
                        "bad-temp", "temperature must be a finite number",
                        "bad-llm", "unknown model 'gpt9'",
                        "bad-zero", "give max_new_tokens >= 1");
                KafkaClients.send(p, h.requests(), generate("bad-negative", prompt, -1).build(), Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("bad-context", java.util.Collections.nCopies(600, 5), 500)
                        .build(), Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("bad-topk", prompt, 4).setTopK(-3).build(), Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("bad-temp", prompt, 4).setTemperature(Float.NaN).build(),
                        Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("bad-llm", prompt, 4).setModel("gpt9").build(), Encoding.AVRO);
                KafkaClients.send(p, h.requests(), generate("bad-zero", prompt, 0).build(), Encoding.JSON);
                // the same generation request twice: it runs once, the second is answered REJECTED
                InferenceRequest twice = generate("gen-twice", prompt, 2).build();
                KafkaClients.send(p, h.requests(), twice, Encoding.AVRO);
                KafkaClients.send(p, h.requests(), twice, Encoding.AVRO);
                p.flush();

                Set<String> ids = new java.util.HashSet<>(Set.of("greedy", "sampled"));
                for (int i = 0; i < 6; i++) {
                    ids.add("load-" + i);
                }
                ids.addAll(bad.keySet());
                ids.add("gen-twice");
                Map<String, List<InferenceResponse>> got = await(h, ids, Duration.ofSeconds(120));
                assertThat(got.keySet()).containsAll(ids);
                got.remove("gen-twice");
                got.values().forEach(l -> assertThat(l).hasSize(1));
                Map<String, List<InferenceResponse>> twiceGot = await(h, Set.of("gen-twice"), Duration.ofSeconds(30));
                try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(), h.responses(),
                        true)) {
                    List<ResponseStatus> st = new ArrayList<>();
                    KafkaClients.readUntil(c, Duration.ofSeconds(30), l -> {
                        st.clear();
                        l.stream().map(x -> KafkaClients.decodeResponse(x.value()))
                                .filter(x -> x.getRequestId().equals("gen-twice")).forEach(x -> st.add(x.getStatus()));
                        return st.size() >= 2;
                    });
                    assertThat(st).containsExactlyInAnyOrder(ResponseStatus.OK, ResponseStatus.REJECTED);
                }
                assertThat(twiceGot).containsKey("gen-twice");
                InferenceResponse greedy = got.get("greedy").get(0);
                assertThat(greedy.getStatus()).as(greedy.getDetail()).isEqualTo(ResponseStatus.OK);
                assertThat(ints(greedy.getTokens())).containsExactly(
                        ChainFixtures.reference(ints(prompt), 8, 0f, 0, 0, new int[0]));
                assertThat(greedy.getChainServers()).containsExactly(0, 1, 2);
                assertThat(greedy.getChain()).isZero();
                assertThat(greedy.getTokenTimesUs()).hasSize(8);
                assertThat(greedy.getFirstTokenUs()).isEqualTo(greedy.getTokenTimesUs().get(0));
                InferenceResponse sampled = got.get("sampled").get(0);
                assertThat(sampled.getStatus()).isEqualTo(ResponseStatus.OK);
                assertThat(ints(sampled.getTokens())).containsExactly(
                        ChainFixtures.reference(ints(prompt), 8, 0.8f, 20, 7, new int[0]));
                for (int i = 0; i < 6; i++) {
                    InferenceResponse r = got.get("load-" + i).get(0);
                    assertThat(r.getStatus()).as(r.getDetail()).isEqualTo(ResponseStatus.OK);
                    assertThat(ints(r.getTokens())).containsExactly(
                            ChainFixtures.reference(new int[] {100 + i, 7}, 6, 0f, 0, 0, new int[0]));
                }
                // the token stream: as a streaming client reads it (the first of each step kept), every
                // token of every generation, in its request's encoding, equal to the final response's
                Set<String> generated = new java.util.HashSet<>(ids);
                generated.removeAll(bad.keySet());
                generated.remove("gen-twice");
                Map<String, Map<Integer, GeneratedToken>> streamed = new HashMap<>();
                Map<String, Encoding> encodings = new HashMap<>();
                try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(h.kafka.bootstrapServers(),
                        h.conf.get(MuxflowOptions.TOKENS_TOPIC), false)) {
                    KafkaClients.readUntil(c, Duration.ofSeconds(30), l -> {
                        streamed.clear();
                        for (ConsumerRecord<byte[], byte[]> r : l) {
                            GeneratedToken t = decodeToken(r.value());
                            assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))
                                    .isEqualTo(t.getRequestId());
                            streamed.computeIfAbsent(t.getRequestId(), k -> new HashMap<>()).putIfAbsent(t.getStep(), t);
                            encodings.put(t.getRequestId(), Encoding.sniff(r.value()));
                        }
                        return generated.stream().allMatch(id -> streamed.containsKey(id)
                                && streamed.get(id).size() == got.get(id).get(0).getTokens().size());
                    });
                }
                for (String id : generated) {
                    InferenceResponse r = got.get(id).get(0);
                    Map<Integer, GeneratedToken> tokens = streamed.get(id);
                    assertThat(tokens).as(id).isNotNull();
                    assertThat(tokens).as(id).hasSize(r.getTokens().size());
                    for (int step = 0; step < r.getTokens().size(); step++) {
                        GeneratedToken t = tokens.get(step);
                        assertThat(t).as(id + " step " + step).isNotNull();
                        assertThat(t.getTokenId()).as(id + " step " + step).isEqualTo(r.getTokens().get(step));
                        assertThat(t.getGeneratedUs()).isEqualTo(r.getTokenTimesUs().get(step));
                        assertThat(t.getModel()).isEqualTo(ChainFixtures.LLM);
                    }
                }
                assertThat(encodings.get("greedy")).isEqualTo(Encoding.AVRO);
                assertThat(encodings.get("sampled")).isEqualTo(Encoding.JSON);
                bad.forEach((id, why) -> {
                    InferenceResponse r = got.get(id).get(0);
                    assertThat(r.getStatus()).as(id).isEqualTo(ResponseStatus.INVALID);
                    assertThat(r.getDetail()).as(id).contains(why);
                });
                // the servers' own records: never more jobs on the chain than its capacity, and it was full
                try (RestClusterAccess rest = new RestClusterAccess(cluster.getRestAddress().get())) {
                    double peak = Double.NaN;
                    long end = System.nanoTime() + 20_000_000_000L;
                    while ((Double.isNaN(peak) || peak < CAPACITY) && System.nanoTime() < end) {
                        peak = rest.maxVertexMetric(job.getJobID(), "chain-server-", "peakJobsInService");
                        Thread.sleep(500);
                    }
                    assertThat(peak).isEqualTo(CAPACITY);
                }
            } finally {
                job.cancel().get();
            }
        }
    }
}
