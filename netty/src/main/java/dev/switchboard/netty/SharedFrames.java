package dev.switchboard.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Outgoing text frames framed once per event loop and shared by every connection of that loop that writes them.
 *
 * <p>The domain hands every recipient of a fan-out the same immutable {@code byte[]}. The first connection on a
 * loop to write it gets it framed here — RFC 6455 header (FIN, text, unmasked length) and payload copied once
 * into one direct buffer — and every other connection of the loop writes a {@link ByteBuf#retainedDuplicate()}
 * of that buffer: no per-recipient frame object, header, encoder pass or heap-to-direct copy. Frames are matched
 * by array identity, so a frame is never confused with an equal one encoded separately.
 *
 * <p>A few slots per loop cover the interleaving of a drain that writes several frames to each recipient; a
 * slot's buffer is released when the slot is reused or the loop's thread ends. The bytes bypass the WebSocket
 * encoder, which is correct because no extension (compression) is ever negotiated.
 */
final class SharedFrames {
    private static final int SLOTS = 8;
    private static final FastThreadLocal<SharedFrames> LOOP = new FastThreadLocal<>() {
        @Override
        protected SharedFrames initialValue() {
            return new SharedFrames();
        }

        @Override
        protected void onRemoval(SharedFrames frames) {
            frames.releaseAll();
        }
    };

    private final byte[][] payloads = new byte[SLOTS][];
    private final ByteBuf[] framed = new ByteBuf[SLOTS];
    private int next;

    private SharedFrames() {
    }

    /** A ready-to-write text frame holding {@code json}, owned by the caller (release it or write it). */
    static ByteBuf textFrame(byte[] json, ByteBufAllocator allocator) {
        return LOOP.get().lookup(json, allocator);
    }

    private ByteBuf lookup(byte[] json, ByteBufAllocator allocator) {
        for (int i = 0; i < SLOTS; i++) {
            if (payloads[i] == json) {
                return framed[i].retainedDuplicate();
            }
        }
        ByteBuf frame = frame(json, allocator);
        int slot = next;
        next = (next + 1) % SLOTS;
        if (framed[slot] != null) {
            framed[slot].release();
        }
        payloads[slot] = json;
        framed[slot] = frame;
        return frame.retainedDuplicate();
    }

    /** A new direct buffer holding {@code payload} as one text frame (see {@link #writeFrame}). */
    static ByteBuf frame(byte[] payload, ByteBufAllocator allocator) {
        return writeFrame(payload, allocator.directBuffer(framedLength(payload)));
    }

    /** Bytes of {@code payload} once framed: header plus payload. */
    static int framedLength(byte[] payload) {
        int length = payload.length;
        return (length < 126 ? 2 : length <= 0xFFFF ? 4 : 10) + length;
    }

    /**
     * Appends {@code payload} as one text frame — RFC 6455 §5.2: FIN + opcode 1, no mask, 7/16/64-bit payload length,
     * then the payload — and returns {@code buf}.
     */
    static ByteBuf writeFrame(byte[] payload, ByteBuf buf) {
        return writeHeader(payload.length, buf).writeBytes(payload);
    }

    /** Appends the header of a text frame of {@code length} payload bytes (see {@link #writeFrame}). */
    static ByteBuf writeHeader(int length, ByteBuf buf) {
        buf.writeByte(0x81);
        if (length < 126) {
            buf.writeByte(length);
        } else if (length <= 0xFFFF) {
            buf.writeByte(126);
            buf.writeShort(length);
        } else {
            buf.writeByte(127);
            buf.writeLong(length);
        }
        return buf;
    }

    private void releaseAll() {
        for (int i = 0; i < SLOTS; i++) {
            if (framed[i] != null) {
                framed[i].release();
                framed[i] = null;
                payloads[i] = null;
            }
        }
    }
}
