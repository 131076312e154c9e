package dev.switchboard.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The raw send/expect WebSocket probe (after nats-server's send/expect tests): a JDK {@link WebSocket} whose every
 * inbound text frame, binary frame and close lands in one queue, read back with bounded waits. Failures list
 * everything that arrived so far, so a broken ordering reads directly off the assertion message.
 */
public final class WsProbe implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One inbound event. {@code code}/{@code reason} are set for closes; 1006 stands for an abort. */
    public record Event(Kind kind, String text, byte[] bytes, int code, String reason) {
        public enum Kind { TEXT, BINARY, CLOSE }

        @Override
        public String toString() {
            return switch (kind) {
                case TEXT -> text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + " chars)" : text;
                case BINARY -> "<binary " + bytes.length + " bytes>";
                case CLOSE -> "<close " + code + " '" + reason + "'>";
            };
        }
    }

    private final String name;
    private final LinkedBlockingQueue<Event> inbound = new LinkedBlockingQueue<>();
    /** The last {@link #HISTORY} events taken, for failure messages (bounded: probes may live through a soak). */
    private final java.util.ArrayDeque<Event> history = new java.util.ArrayDeque<>();
    private static final int HISTORY = 200;
    private final WebSocket socket;
    private volatile boolean closed;
    private String peerId;

    private WsProbe(String name, WebSocket socket, Listener listener) {
        this.name = name;
        this.socket = socket;
        listener.attach(this);
    }

    /** Opens {@code server}'s {@code /v1?query}; does not wait for the welcome. */
    public static WsProbe connect(TestServer server, String query) {
        return connect(server.uri(query), Map.of());
    }

    /** Opens {@code uri} with extra handshake headers (e.g. {@code Origin}). */
    public static WsProbe connect(URI uri, Map<String, String> headers) {
        return connect(CLIENT, uri, headers);
    }

    /** Opens {@code uri} through {@code client} (e.g. one that trusts a test CA for {@code wss://}). */
    public static WsProbe connect(HttpClient client, URI uri, Map<String, String> headers) {
        Listener listener = new Listener();
        WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        try {
            WebSocket ws = builder.buildAsync(uri, listener).get(5, TimeUnit.SECONDS);
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            return new WsProbe(query.length() > 40 ? query.substring(0, 40) + "…" : query, ws, listener);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while connecting " + uri, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("WebSocket handshake to " + uri.getPath() + " failed: " + e.getCause(), e);
        }
    }

    /** Connects and awaits the welcome. */
    public static WsProbe welcomed(TestServer server, String query) {
        WsProbe probe = connect(server, query);
        probe.awaitWelcome();
        return probe;
    }

    /** The peerId from the welcome ({@link #awaitWelcome()} must have run). */
    public String peerId() {
        if (peerId == null) {
            throw new IllegalStateException("no welcome seen yet on " + name);
        }
        return peerId;
    }

    // ---------------------------------------------------------------------------------------------- sending

    /** Sends one text frame and waits until it is written. */
    public WsProbe send(String text) {
        await(socket.sendText(text, true), "send");
        return this;
    }

    /** Sends a JSON object built from alternating names and values ({@link JsonNode}, String, Number, Boolean, null). */
    public WsProbe sendFrame(Object... namesAndValues) {
        return send(object(namesAndValues).toString());
    }

    public WsProbe sendBinary(byte[] bytes) {
        await(socket.sendBinary(ByteBuffer.wrap(bytes), true), "sendBinary");
        return this;
    }

    /** Sends a WebSocket ping control frame (the JDK answers the server's pings by itself). */
    public WsProbe sendPing() {
        await(socket.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3})), "sendPing");
        return this;
    }

    /** A JSON object from alternating names and values. */
    public static ObjectNode object(Object... namesAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String field = (String) namesAndValues[i];
            Object value = namesAndValues[i + 1];
            switch (value) {
                case null -> node.putNull(field);
                case JsonNode json -> node.set(field, json);
                case String s -> node.put(field, s);
                case Integer n -> node.put(field, n);
                case Long n -> node.put(field, n);
                case Boolean b -> node.put(field, b);
                default -> throw new IllegalArgumentException("unsupported value " + value.getClass());
            }
        }
        return node;
    }

    /** Parses JSON text (test data). */
    public static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    // --------------------------------------------------------------------------------------------- expecting

    /** The next inbound event within the default timeout; fails if none. */
    public Event nextEvent(Duration timeout) {
        Event event = poll(timeout);
        if (event == null) {
            throw new AssertionError(name + ": nothing arrived within " + timeout.toMillis() + " ms; "
                    + "arrived so far: " + history);
        }
        return event;
    }

    /** The next inbound event within {@code timeout}, or null if none arrived (no failure). */
    public Event poll(Duration timeout) {
        Event event;
        try {
            event = inbound.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (event != null) {
            remember(event);
        }
        return event;
    }

    private void remember(Event event) {
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(event);
        }
    }

    /** The next frame, which must be a JSON text frame. */
    public JsonNode expect() {
        return expect(DEFAULT_TIMEOUT);
    }

    public JsonNode expect(Duration timeout) {
        Event event = nextEvent(timeout);
        if (event.kind() != Event.Kind.TEXT) {
            throw new AssertionError(name + ": expected a text frame but got " + event + "; arrived so far: " + history);
        }
        try {
            return JSON.readTree(event.text());
        } catch (RuntimeException e) {
            throw new AssertionError(name + ": server sent non-JSON text " + event, e);
        }
    }

    /** The next frame, which must be a JSON object of this {@code type}. */
    public JsonNode expectType(String type) {
        JsonNode frame = expect();
        if (!type.equals(frame.path("type").asString(null))) {
            throw new AssertionError(name + ": expected a '" + type + "' frame but got " + frame
                    + "; arrived so far: " + history);
        }
        return frame;
    }

    /** Asserts that no event at all arrives within {@code quiet}. */
    public void expectNothing(Duration quiet) {
        Event event;
        try {
            event = inbound.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (event != null) {
            remember(event);
            throw new AssertionError(name + ": expected nothing but got " + event + "; arrived so far: " + history);
        }
    }

    /** The next event must be a close with {@code code} (1006 = closed without a close frame); returns it. */
    public Event expectClose(int code) {
        return expectClose(code, DEFAULT_TIMEOUT);
    }

    public Event expectClose(int code, Duration timeout) {
        Event event = nextEvent(timeout);
        if (event.kind() != Event.Kind.CLOSE || event.code() != code) {
            throw new AssertionError(name + ": expected close " + code + " but got " + event
                    + "; arrived so far: " + history);
        }
        return event;
    }

    /** The first frame must be a {@code welcome}; remembers its peerId. */
    public JsonNode awaitWelcome() {
        JsonNode welcome = expectType("welcome");
        peerId = welcome.path("peerId").asString(null);
        return welcome;
    }

    /** The last events received (at most 200), for diagnostics. */
    public List<Event> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    public boolean isInputClosed() {
        return socket.isInputClosed();
    }

    /** Closes with 1000 and aborts if the server does not answer within a second. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(1, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // already closing or broken: abort below
        } finally {
            socket.abort();
        }
    }

    /** Aborts the TCP connection without a close handshake (a vanished client). */
    public void abort() {
        closed = true;
        socket.abort();
    }

    private void enqueue(Event event) {
        inbound.add(event);
    }

    private static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(what + " failed: " + e, e);
        }
    }

    /** Collects fragmented text/binary messages and closes into the probe's queue. */
    private static final class Listener implements WebSocket.Listener {
        private volatile WsProbe probe;
        private final List<Event> early = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        private boolean done;

        /** Links the probe and hands over what arrived before (typically the welcome). */
        private synchronized void attach(WsProbe owner) {
            probe = owner;
            for (Event e : early) {
                owner.enqueue(e);
            }
            early.clear();
        }

        private synchronized void deliver(Event event) {
            if (done) {
                return;
            }
            if (event.kind() == Event.Kind.CLOSE) {
                done = true;
            }
            if (probe == null) {
                early.add(event);
                return;
            }
            probe.enqueue(event);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                deliver(new Event(Event.Kind.TEXT, text.toString(), null, 0, null));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                deliver(new Event(Event.Kind.BINARY, null, binary.toByteArray(), 0, null));
                binary = new java.io.ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            deliver(new Event(Event.Kind.CLOSE, null, null, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            deliver(new Event(Event.Kind.CLOSE, null, null, 1006, String.valueOf(error)));
        }
    }

}
