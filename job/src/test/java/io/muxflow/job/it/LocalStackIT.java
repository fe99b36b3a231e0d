package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.local.LocalStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/muxflow local} runs, end to end: cpu models profiled here, a plan, the job on Flink
 * with its dashboard and Prometheus endpoint, load flowing and summaries printed, then a clean stop.
 */
class LocalStackIT {
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void theWholeStackServesAndShowsItsMetrics() throws Exception {
        int ui = freePort();
        int prom = freePort();
        StringWriter text = new StringWriter();
        LocalStack.Options o = new LocalStack.Options("cpu", 2, 2, List.of(), 0, 20, 2, 25, ui, prom, 16, 12, 4, 1, true,
                false, 0, 0.5, 3, 4);
        try (LocalStack stack = new LocalStack(o, new PrintWriter(text, true))) {
            stack.start();
            stack.summarize(new CountDownLatch(1));
            assertThat(stack.totals().responses()).isGreaterThan(50);
            assertThat(stack.totals().attainment()).isGreaterThan(0.5);
            String jobs = get("http://localhost:" + ui + "/jobs/overview");
            assertThat(jobs).contains("muxflow (plan v1)").contains("RUNNING");
            String metrics = get("http://localhost:" + prom + "/metrics");
            // Prometheus turns the model group into a label, which keeps the model's name
            assertThat(metrics.contains("flink_taskmanager_job_task_operator_model_attainment{")).as("attainment").isTrue();
            assertThat(metrics.contains("model=\"bert-a\"")).as("model label").isTrue();
            assertThat(metrics.contains("model=\"bert_a\"")).as("no rewritten label").isFalse();
            assertThat(metrics.contains("busyFraction")).as("stage busy fraction").isTrue();
            assertThat(metrics.contains("model_requests")).as("requests counter").isTrue();
            assertThat(metrics.contains("model_status_responses{")).as("responses by status").isTrue();
            assertThat(metrics.contains("status=\"OK\"")).as("status label").isTrue();
            assertThat(metrics.contains("model_latencyMs{")).as("latency histogram").isTrue();
            assertThat(metrics.contains("queueDepth")).as("stage queue depth").isTrue();
            // run with batches of up to 4: the batching dispatcher counts its batches and queue
            assertThat(metrics.contains("dispatch_batches")).as("batches counter").isTrue();
            assertThat(metrics.contains("dispatch_queued")).as("queued gauge").isTrue();
            assertThat(metrics.contains("flink_jobmanager_job_numberOfFailedCheckpoints")).as("failed checkpoints")
                    .isTrue();
            // the chain path: per chain jobs in service against capacity, queue, time to first token, time per
            // output token, tokens/s, hop latency
            for (String m : List.of("chainServer_chain_jobsInService", "chainServer_chain_capacity", "llm_queueLength",
                    "llm_timeToFirstTokenMs", "llm_timePerOutputTokenMs", "llm_tokensPerSecond",
                    "chainServer_hopLatencyUs")) {
                assertThat(metrics.contains(m)).as(m).isTrue();
            }
        }
        String printed = text.toString();
        assertThat(printed).contains("Flink dashboard:  http://localhost:" + ui).contains("attainment")
                .contains("bert-a").contains("gpt-c").contains("kcat -b").contains("checkpoints: ")
                .contains("batch [1, 2, 4]")
                // the LLM on three chain servers, with its own row of answers
                .contains("chain server 2").contains("gpt2-chain").contains("\"max_new_tokens\": 8");
        assertThat(printed.lines().filter(l -> l.trim().startsWith("gpt2-chain ")).count()).as(printed)
                .isGreaterThan(0);
        // the totals are taken after the answers in flight came in: every request sent is answered
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("total: (\\d+) requests sent, (\\d+) answered")
                .matcher(printed);
        assertThat(m.find()).as(printed).isTrue();
        assertThat(m.group(2)).as("answered").isEqualTo(m.group(1));
    }
}
