package dev.switchboard.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket for the byte-level cases the JDK client cannot produce: invalid UTF-8 in
 * a text frame, fragmented messages, oversize frames, a peer that never answers pings, and bare HTTP requests.
 * It never answers anything by itself. Loopback only; every read is bounded.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;
    /** Opcode of the pseudo-frame returned when the server closed the TCP connection. */
    public static final int EOF = -1;

    /** One received frame; for {@link #CLOSE}, {@link #closeCode()} decodes the status. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        @Override
        public String toString() {
            return opcode == EOF ? "<eof>" : "<op " + opcode + (fin ? "" : " (more)") + " " + payload.length + " bytes"
                    + (opcode == TEXT ? " " + text() : opcode == CLOSE ? " code " + closeCode() : "") + ">";
        }
    }

    /** A plain HTTP answer: status code, the raw head and the body. */
    public record HttpAnswer(int status, String head, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Upgrades {@code GET target} on 127.0.0.1:port; fails unless the answer is 101. */
    public static RawWebSocket open(int port, String target, Map<String, String> headers) {
        return open(port, target, headers, 0);
    }

    /**
     * Like {@link #open(int, String, Map)} with a small socket receive buffer ({@code receiveBufferBytes} &gt; 0),
     * to play a slow consumer whose backlog piles up at the server.
     */
    public static RawWebSocket open(int port, String target, Map<String, String> headers, int receiveBufferBytes) {
        try {
            Socket socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            RawWebSocket ws = new RawWebSocket(socket);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            StringBuilder head = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            ws.out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            ws.out.flush();
            String answer = ws.readHead();
            if (!answer.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new AssertionError("upgrade refused: " + answer);
            }
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a raw HTTP/1.1 request head (and body) with {@code Connection: close} semantics; returns the answer. */
    public static HttpAnswer http(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            RawWebSocket reader = new RawWebSocket(socket);
            String head = reader.readHead();
            int status = Integer.parseInt(head.substring(9, 12));
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            byte[] body = reader.in.readNBytes(length);
            return new HttpAnswer(status, head, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the HTTP answer: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes one masked frame. Errors surface as {@link UncheckedIOException}. */
    public void sendFrame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length >>> shift) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        frame.writeBytes(masked);
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one frame without the mask every client frame must carry (RFC 6455 §5.1): a protocol error. */
    public void sendUnmasked(int opcode, byte[] payload) {
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] frame = new byte[payload.length + 2];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void sendText(String text) {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame of any kind (control frames included), or an {@link #EOF} pseudo-frame. */
    public Frame readFrame(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            int b0 = in.read();
            if (b0 < 0) {
                return new Frame(EOF, true, new byte[0]);
            }
            int b1 = readByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                return new Frame(EOF, true, new byte[0]);
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            // A reset after the server's close counts as the end of the stream.
            return new Frame(EOF, true, new byte[0]);
        }
    }

    /**
     * The next frame that is not a ping or pong, answering the pings it passes as a client library does (the
     * server holds a presence snapshot until the pong of the ping it writes after the ack). {@link #readFrame}
     * leaves pings unanswered, to play a dead peer.
     */
    public Frame readDataOrClose(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = readFrame(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            if (frame.opcode() == PING) {
                sendFrame(true, PONG, frame.payload());
            } else if (frame.opcode() != PONG) {
                return frame;
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
