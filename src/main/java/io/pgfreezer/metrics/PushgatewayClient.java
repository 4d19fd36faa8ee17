package io.pgfreezer.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Pushes each table's metrics to a Prometheus Pushgateway with {@code PUT}, as the group
 * {@code job=<job>, table=<schema.name>}. A PUT replaces its whole group, so grouping by table
 * lets a run of one table ({@code run --table}, {@code replay}) replace that table's metrics
 * without erasing the others'. The pushed samples carry no {@code table} label: the Pushgateway
 * adds it from the grouping key and refuses pushes that repeat it.
 * <p>
 * Credentials may be embedded in the URL ({@code https://user:pass@host}); they are sent as
 * HTTP basic authentication and never logged.
 */
final class PushgatewayClient {
    private static final Logger log = LoggerFactory.getLogger(PushgatewayClient.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Grouping-key values that can go into the path as they are; others are base64url-encoded. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.\\-]+");

    private final URI base;
    private final String authorization;
    private final String job;
    private final HttpClient client;

    PushgatewayClient(URI url, String job) {
        this.base = withoutUserInfo(url);
        String userInfo = url.getRawUserInfo();
        this.authorization = userInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        java.net.URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8)
                                .getBytes(StandardCharsets.UTF_8));
        this.job = job;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** The URL as it may be shown to an operator: no user name or password. */
    String safeUrl() {
        return base.toString();
    }

    /** Pushes every table's group; returns how many pushes succeeded. Never throws. */
    int push(RunMetrics metrics) {
        int ok = 0;
        for (String table : metrics.tables()) {
            List<Sample> own = metrics.samples().stream()
                    .filter(s -> table.equals(s.table()))
                    .map(Sample::withoutTable)
                    .toList();
            if (put(groupUri(table), TextFormat.render(own))) {
                ok++;
            }
        }
        return ok;
    }

    URI groupUri(String table) {
        String path = stripTrailingSlash(base.getRawPath()) + "/metrics/" + segment("job", job) + "/" + segment("table", table);
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path);
    }

    private boolean put(URI uri, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Content-Type", TextFormat.CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                log.warn("Pushgateway {} answered HTTP {} to the metrics push", safeUrl(), response.statusCode());
                return false;
            }
            return true;
        } catch (IOException e) {
            log.warn("metrics could not be pushed to Pushgateway {}: {}", safeUrl(), describe(e));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("metrics push to Pushgateway {} interrupted", safeUrl());
            return false;
        }
    }

    /** {@code name/value}, or {@code name@base64/...} when the value holds '/' or other characters a path mangles. */
    private static String segment(String name, String value) {
        if (PLAIN.matcher(value).matches()) {
            return name + "/" + value;
        }
        // An empty value is written as "=" in the base64 form, which the Pushgateway documents.
        String encoded = value.isEmpty() ? "="
                : Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
        return name + "@base64/" + encoded;
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "no connection within " + TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer within " + TIMEOUT.toSeconds() + " s";
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            // The HTTP client's ConnectException carries no message when the connection is refused.
            return e instanceof java.net.ConnectException ? "could not connect" : e.getClass().getSimpleName();
        }
        return message;
    }

    private static String stripTrailingSlash(String path) {
        if (path == null) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static URI withoutUserInfo(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid Pushgateway URL", e);
        }
    }
}
