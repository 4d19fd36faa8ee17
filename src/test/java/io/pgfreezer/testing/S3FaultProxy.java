package io.pgfreezer.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An HTTP proxy between the S3 client and the S3 API server that can misbehave on purpose: it
 * forwards requests byte for byte (so signatures stay valid), records them, and lets a test
 * answer chosen requests with an error, cut the connection, or deliver a recorded request again
 * later, as a network that delays or duplicates a request would.
 *
 * <p>Each request travels on its own upstream connection with {@code Connection: close}, which
 * keeps the proxy simple; the client then opens a new connection per request.
 */
public final class S3FaultProxy implements AutoCloseable {

    /** One request as the client sent it. */
    public record Request(String method, String target, Map<String, String> headers, byte[] head, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The object key part of a path-style target, without the query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }
    }

    /** What the proxy does with a request a rule matched. */
    public sealed interface Fault permits Respond, Reset, Truncate {
    }

    /** Forward, but pass on only the response head and the first {@code bodyBytes} of its body, then cut. */
    public record Truncate(int bodyBytes) implements Fault {
    }

    /** Answer with this status and an S3 error body, without forwarding. */
    public record Respond(int status, String code) implements Fault {
    }

    /** Close the client's connection without answering. */
    public record Reset() implements Fault {
    }

    private record Rule(Predicate<Request> when, Fault fault, int[] remaining) {
    }

    private final URI upstream;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Request> seen = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private S3FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "s3-fault-proxy");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static S3FaultProxy inFrontOf(URI upstream) {
        try {
            return new S3FaultProxy(upstream);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fault proxy", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Applies {@code fault} to the next {@code times} requests that match. */
    public S3FaultProxy fail(Predicate<Request> when, Fault fault, int times) {
        rules.add(new Rule(when, fault, new int[] {times}));
        return this;
    }

    /** Every request forwarded or faulted so far, in arrival order. */
    public List<Request> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /**
     * Delivers a recorded request to the server once more, as a request delayed in the network
     * would arrive, and returns the status the server answered.
     */
    public int deliverAgain(Request request) {
        try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
            OutputStream out = up.getOutputStream();
            out.write(request.head());
            out.write(request.body());
            out.flush();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            up.getInputStream().transferTo(response);
            String statusLine = response.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new IllegalStateException("delivering a recorded request again failed", e);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "s3-fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                Request request = readRequest(in, out);
                if (request == null) {
                    return;
                }
                seen.add(request);
                Fault fault = faultFor(request);
                if (fault instanceof Reset) {
                    client.setSoLinger(true, 0);
                    return;
                }
                if (fault instanceof Respond r) {
                    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + r.code()
                            + "</Code><Message>injected by the test</Message></Error>").getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 " + r.status() + " Injected\r\nContent-Type: application/xml\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                    return;
                }
                try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
                    OutputStream upOut = up.getOutputStream();
                    upOut.write(request.head());
                    upOut.write(request.body());
                    upOut.flush();
                    if (fault instanceof Truncate t) {
                        InputStream upIn = up.getInputStream();
                        String head = readHead(upIn);
                        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                        out.write(upIn.readNBytes(t.bodyBytes()));
                        out.flush();
                        client.setSoLinger(true, 0);
                        return;
                    }
                    up.getInputStream().transferTo(out);
                    out.flush();
                }
                return;
            }
        } catch (IOException e) {
            // A client that went away; nothing to answer.
        }
    }

    private Fault faultFor(Request request) {
        for (Rule rule : rules) {
            if (rule.when().test(request)) {
                synchronized (rule) {
                    if (rule.remaining()[0] > 0) {
                        rule.remaining()[0]--;
                        return rule.fault();
                    }
                }
            }
        }
        return null;
    }

    /**
     * Reads one request; the head is rebuilt with {@code Connection: close} and without
     * {@code Expect}, which the client's signature does not cover, and a 100-continue is answered
     * here so the client sends its body at once.
     */
    private static Request readRequest(InputStream in, OutputStream out) throws IOException {
        String headText = readHead(in);
        if (headText == null) {
            return null;
        }
        List<String> lines = new ArrayList<>(headText.lines().toList());
        String[] requestLine = lines.get(0).split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder head = new StringBuilder(lines.get(0)).append("\r\n");
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.put(name, value);
            if (name.equals("connection") || name.equals("expect")) {
                continue;
            }
            head.append(line).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else {
            long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
            body = in.readNBytes((int) length);
        }
        return new Request(requestLine[0], requestLine[1], headers,
                head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** A chunked body kept in its wire form, chunk sizes and trailers included. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, raw);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in, raw);
                } while (!trailer.isEmpty());
                return raw.toByteArray();
            }
            raw.write(in.readNBytes(size));
            readLine(in, raw);
        }
    }

    private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            raw.write(b);
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Closing a listening socket only stops new connections.
        }
    }
}
