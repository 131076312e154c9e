package dev.switchboard.server.rest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/** A WebSocket peer for observing REST effects: collects inbound frames and the close code. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static WsClient connect(String url) throws Exception {
        WsClient client = new WsClient();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(url), client).get(5, TimeUnit.SECONDS);
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(RestHarness.JSON.readTree(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The next frame of {@code type}, skipping others; fails after 5 s. */
    JsonNode next(String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(50, TimeUnit.MILLISECONDS);
            if (frame != null && frame.path("type").asString().equals(type)) {
                return frame;
            }
        }
        throw new AssertionError("no " + type + " frame within 5 s");
    }

    /** Subscribes and waits for the ack. */
    void subscribe(String channel, boolean includeSenderMetadata) throws InterruptedException {
        String id = "s" + REQUESTS.incrementAndGet();
        send("{\"type\":\"subscribe\",\"channel\":" + RestHarness.JSON.writeValueAsString(channel)
                + ",\"requestId\":\"" + id + "\",\"includeSenderMetadata\":" + includeSenderMetadata + "}");
        JsonNode ack = next("ack");
        if (!ack.path("requestId").asString().equals(id)) {
            throw new AssertionError("unexpected ack " + ack);
        }
    }

    void publish(String channel, String data) throws InterruptedException {
        String id = "p" + REQUESTS.incrementAndGet();
        send("{\"type\":\"publish\",\"channel\":" + RestHarness.JSON.writeValueAsString(channel)
                + ",\"data\":" + data + ",\"requestId\":\"" + id + "\"}");
    }

    int awaitClose() throws Exception {
        return closeCode.get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        socket.abort();
    }
}
