package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.muxflow.job.local.LocalStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The local stack's Flink web dashboard in headless Chromium: the running jobs page lists the
 * muxflow job as RUNNING; on the statistics operator's metrics tab a per-model metric (a model's SLO
 * attainment, over every response of the model) is added and shows a value; the page is saved as target/dashboard.png. The README's
 * picture (docs/dashboard.png) is refreshed only on purpose, with {@code -Dmuxflow.readme-picture=true}
 * (README, "Tests"): a test run leaves the checkout clean.
 */
class DashboardScreenshotIT {
    static final String METRIC = "model.bert-a.attainment";
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void dashboardShowsTheJobAndAPerModelMetric() throws Exception {
        ExternalClients.needChromium();
        int ui = LocalStackIT.freePort();
        LocalStack.Options o = new LocalStack.Options("cpu", 2, 2, List.of(), 0, 20, 2, 25, ui, 0, 16, 0, 4, 1, false,
                false, 0, 0, 0, 1);
        StringWriter text = new StringWriter();
        try (LocalStack stack = new LocalStack(o, new PrintWriter(text, true))) {
            stack.start();
            String rest = "http://localhost:" + ui;
            String[] ids = awaitMetric(rest, Duration.ofSeconds(90));
            String jid = ids[0];
            String vertex = ids[1];
            try (HeadlessChromium browser = new HeadlessChromium(Path.of("target", "chromedriver.log"), 1600, 1000)) {
                browser.open(rest + "/#/job/running");
                browser.awaitText(Duration.ofSeconds(60), "muxflow (plan v1)", "RUNNING");

                browser.open(rest + "/#/job/running/" + jid + "/overview/" + vertex + "/metrics");
                browser.awaitText(Duration.ofSeconds(60), "Add Metric");
                browser.click(browser.find("nz-select", Duration.ofSeconds(30)));
                browser.type(browser.find("nz-select input", Duration.ofSeconds(10)), METRIC);
                String option = browser.find("nz-option-item", Duration.ofSeconds(30));
                assertThat(browser.script("return document.querySelector('nz-option-item').innerText").asText())
                        .matches(".*arrival-stats\\." + java.util.regex.Pattern.quote(METRIC));
                browser.click(option);
                // the metric's card: read its value in numeric mode, then show it as a big chart
                browser.click(xpathButton(browser, "Numeric"));
                String value = awaitNumber(browser, Duration.ofSeconds(30));
                assertThat(Double.parseDouble(value)).isBetween(0.0, 1.0);
                browser.click(xpathButton(browser, "Chart"));
                browser.click(xpathButton(browser, "Big"));
                Thread.sleep(3000);
                byte[] png = browser.screenshot();
                assertThat(png.length).isGreaterThan(10_000);
                assertThat(new byte[] {png[1], png[2], png[3]}).isEqualTo("PNG".getBytes());
                Files.write(Path.of("target", "dashboard.png"), png);
                Path docs = Path.of("..", "docs");
                if (Boolean.getBoolean("muxflow.readme-picture") && Files.isDirectory(docs)) {
                    Files.write(docs.resolve("dashboard.png"), png);
                }
            }
        }
    }

    /** Waits until the statistics operator reports the per-model metric; returns {job id, vertex id}. */
    private String[] awaitMetric(String rest, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (JsonNode j : json.readTree(LocalStackIT.get(rest + "/jobs/overview")).path("jobs")) {
                if (!j.path("state").asText().equals("RUNNING")) {
                    continue;
                }
                String jid = j.path("jid").asText();
                for (JsonNode v : json.readTree(LocalStackIT.get(rest + "/jobs/" + jid)).path("vertices")) {
                    if (v.path("name").asText().contains("arrival-stats")) {
                        String vid = v.path("id").asText();
                        if (LocalStackIT.get(rest + "/jobs/" + jid + "/vertices/" + vid + "/metrics").contains(METRIC)) {
                            return new String[] {jid, vid};
                        }
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the statistics operator never reported " + METRIC);
    }

    private static String xpathButton(HeadlessChromium b, String label) throws Exception {
        String id = b.script("const e = Array.from(document.querySelectorAll('button, label, span'))"
                + ".find(x => x.innerText && x.innerText.trim() === '" + label + "'); if (!e) return null;"
                + " e.setAttribute('data-muxflow', '" + label + "'); return 'ok';").asText();
        assertThat(id).as("a '%s' control on the metric card", label).isEqualTo("ok");
        return b.find("[data-muxflow='" + label + "']", Duration.ofSeconds(5));
    }

    private static String awaitNumber(HeadlessChromium b, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String t = b.text();
            int i = t.lastIndexOf(METRIC);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\n\\s*([01](?:\\.\\d+)?)\\s*\\n")
                    .matcher(i < 0 ? "" : t.substring(i));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no value shown for " + METRIC + ": " + b.text());
    }
}
