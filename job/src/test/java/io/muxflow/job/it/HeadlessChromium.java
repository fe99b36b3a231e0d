package io.muxflow.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver protocol (JSON over HTTP), enough to
 * open pages, find and click elements, type, run a script and take a screenshot.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private final Process driver;
    private final io.muxflow.planner.io.TempDir tmp = io.muxflow.planner.io.TempDir.create("muxflow-chromium");
    private final URI session;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    public HeadlessChromium(Path log, int width, int height) throws Exception {
        int port = LocalStackIT.freePort();
        ProcessBuilder pb = new ProcessBuilder("chromedriver", "--port=" + port).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // the browser's profile goes to TMPDIR; ours is deleted on close
        pb.environment().put("TMPDIR", tmp.path().toString());
        driver = pb.start();
        URI base = URI.create("http://localhost:" + port);
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                send("GET", base.resolve("/status"), null);
                break;
            } catch (Exception e) {
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("chromedriver did not start", e);
                }
                Thread.sleep(200);
            }
        }
        ObjectNode caps = json.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode opts = always.putObject("goog:chromeOptions");
        opts.put("binary", "/usr/bin/chromium");
        var args = opts.putArray("args");
        for (String a : List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height)) {
            args.add(a);
        }
        JsonNode r = send("POST", base.resolve("/session"), caps);
        session = base.resolve("/session/" + r.path("value").path("sessionId").asText() + "/");
    }

    private JsonNode send(String method, URI uri, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b = switch (method) {
            case "GET" -> b.GET();
            case "DELETE" -> b.DELETE();
            default -> b.POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : json.writeValueAsString(body)));
        };
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = json.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + uri + ": HTTP " + r.statusCode() + ": "
                    + n.path("value").path("message").asText(r.body()));
        }
        return n;
    }

    private JsonNode post(String path, JsonNode body) throws Exception {
        return send("POST", session.resolve(path), body).path("value");
    }

    public void open(String url) throws Exception {
        post("url", json.createObjectNode().put("url", url));
    }

    /** The first element matching a CSS selector, waiting for it to appear. */
    public String find(String css, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode r = post("elements", json.createObjectNode().put("using", "css selector").put("value", css));
            if (r.size() > 0) {
                return r.get(0).path(ELEMENT).asText();
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no element '" + css + "' within " + timeout + "; page text: " + text());
            }
            Thread.sleep(250);
        }
    }

    public void click(String element) throws Exception {
        post("element/" + element + "/click", json.createObjectNode());
    }

    public void type(String element, String text) throws Exception {
        post("element/" + element + "/value", json.createObjectNode().put("text", text));
    }

    public JsonNode script(String js) throws Exception {
        ObjectNode b = json.createObjectNode().put("script", js);
        b.putArray("args");
        return post("execute/sync", b);
    }

    public String text() throws Exception {
        return script("return document.body.innerText").asText();
    }

    /** Waits until the page's text contains every one of the given strings. */
    public void awaitText(Duration timeout, String... parts) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String t = text();
            if (java.util.Arrays.stream(parts).allMatch(t::contains)) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("page never showed " + List.of(parts) + "; it shows: "
                        + t.substring(0, Math.min(2000, t.length())));
            }
            Thread.sleep(250);
        }
    }

    public byte[] screenshot() throws Exception {
        return Base64.getDecoder().decode(send("GET", session.resolve("screenshot"), null).path("value").asText());
    }

    @Override
    public void close() throws Exception {
        try {
            String s = session.toString();
            send("DELETE", URI.create(s.substring(0, s.length() - 1)), null);
        } finally {
            // the browser is chromedriver's child: never leave it running, and let it end before its
            // profile directory goes (a browser still shutting down writes files there)
            java.util.List<ProcessHandle> browser = driver.descendants().toList();
            browser.forEach(ProcessHandle::destroyForcibly);
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
            for (ProcessHandle p : browser) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // deleted below anyway; TempDir tolerates files vanishing under it
                }
            }
            tmp.close();
        }
    }
}
