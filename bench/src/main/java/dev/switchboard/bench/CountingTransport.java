package dev.switchboard.bench;

import dev.switchboard.core.spi.Transport;

/**
 * A transport whose I/O thread is the caller: {@link #execute} runs the task inline, writes are counted and
 * dropped. Isolates the domain's cost (decode, hub, encode, enqueue, drain) from any socket. Single-threaded use.
 */
public final class CountingTransport implements Transport {
    public long frames;
    public long bytes;
    public int closeCode;

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public void write(byte[] utf8Json) {
        frames++;
        bytes += utf8Json.length;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close(int code, String reason) {
        closeCode = code;
    }

    @Override
    public void ping() {
    }

    @Override
    public void abort() {
    }

    @Override
    public long pendingBytes() {
        return 0;
    }

    @Override
    public String remoteAddress() {
        return "bench:0";
    }
}
