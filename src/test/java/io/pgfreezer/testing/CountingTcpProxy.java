package io.pgfreezer.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards TCP connections to an HTTP server unchanged (so request signatures stay valid) and
 * records the request lines clients send, which lets a test see what a separate process read from
 * the S3 API server. A request ends at its blank line; that is exact for the bodiless GET, HEAD
 * and LIST requests a reader sends, which is all this is used for.
 */
public final class CountingTcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** A request line ({@code "GET /bucket/key?query HTTP/1.1"}), and whether it asked for a byte range. */
    public record Request(String line, boolean ranged) {
        public boolean isWholeObjectGet(String keyPart) {
            return !ranged && line.startsWith("GET ") && line.contains(keyPart);
        }
    }

    public CountingTcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "counting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Every request, in the order the requests were complete. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                pump(upstream.getInputStream(), client.getOutputStream(), null, client, upstream);
                pump(client.getInputStream(), upstream.getOutputStream(), new StringBuilder(), client, upstream);
            } catch (IOException e) {
                // Closed: the test is over.
            }
        }
    }

    private void pump(InputStream in, OutputStream out, StringBuilder line, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            String request = null;
            boolean ranged = false;
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (line != null) {
                        for (int i = 0; i < n; i++) {
                            char c = (char) (buffer[i] & 0xff);
                            if (c != '\n') {
                                if (line.length() < 8192) {
                                    line.append(c);
                                }
                                continue;
                            }
                            String text = line.toString().strip();
                            line.setLength(0);
                            if (request == null) {
                                request = text.isEmpty() ? null : text;
                                ranged = false;
                            } else if (text.isEmpty()) {
                                requests.add(new Request(request, ranged));
                                request = null;
                            } else if (text.regionMatches(true, 0, "range:", 0, 6)) {
                                ranged = true;
                            }
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away; closing both ends the other pump too.
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "counting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
