package io.pgfreezer.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs the original's JSON payload to a webhook, plus a {@code text} summary: Slack's incoming
 * webhooks (and Mattermost's, and Microsoft Teams' workflow webhooks reading {@code text}) refuse
 * a payload without one, while receivers that read the original's fields ignore an extra field.
 * PagerDuty's Events API wants a different document altogether, so it needs a transformer in
 * between (see the README). Five seconds at most, and a failure only logs a warning: alerting
 * must never fail a run.
 */
public final class WebhookNotifier implements Notifier {
    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();

    public WebhookNotifier(URI url) {
        this.url = url;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    static String payload(ObjectMapper json, BatchFailure f) {
        ObjectNode n = json.createObjectNode();
        n.put("service", "pg_freezer");
        n.put("event", "batch_failed");
        n.put("table", f.table());
        n.put("batch_id", f.batchId());
        n.put("window_start", f.windowStart());
        n.put("window_end", f.windowEnd());
        n.put("error", f.error());
        n.put("text", text(f));
        return n.toString();
    }

    /** One line a person reads in a chat channel: what failed, where, and why. */
    static String text(BatchFailure f) {
        return slackEscaped("pg_freezer: batch " + f.batchId() + " of " + f.table() + " FAILED (window "
                + f.windowStart() + " to " + f.windowEnd() + "): " + f.error());
    }

    // Slack reads <...> as a link or mention and & as the start of an entity; its docs ask for
    // exactly these three to be escaped, and nothing else.
    private static String slackEscaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void batchFailed(BatchFailure failure) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload(json, failure)))
                .build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                log.warn("failure webhook answered HTTP {}", response.statusCode());
            }
        } catch (IOException e) {
            log.warn("failure webhook could not be delivered: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("failure webhook interrupted");
        }
    }
}
