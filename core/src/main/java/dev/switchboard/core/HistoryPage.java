package dev.switchboard.core;

import dev.switchboard.core.spi.Streams;
import java.util.List;

/**
 * A page of a channel's history for the control plane ({@code GET /v1/channels/:id/history}, docs/history.md).
 *
 * @param channel  the channel
 * @param epoch    the stream's epoch; offsets of another epoch do not belong to this stream
 * @param offset   the offset of the channel's newest message (0 if none yet)
 * @param messages oldest first
 * @param hasMore  the limit cut the page: ask again from the last message's offset
 * @param missed   messages after the asked position are no longer kept (expired, trimmed, or the position belongs
 *                 to another epoch)
 */
public record HistoryPage(String channel, String epoch, long offset, List<Streams.Entry> messages,
                          boolean hasMore, boolean missed) {
}
