package dev.switchboard.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard history CHANNEL}: {@code GET /v1/channels/:id/history} (docs/history.md). */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Print the messages CHANNEL's history keeps, oldest first.",
                "Prints the server's answer, e.g. {\"channel\":\"room-1\",\"epoch\":\"k3x9\",\"offset\":42,"
                        + "\"hasMore\":false,\"missed\":false,\"messages\":[{\"offset\":42,\"timestamp\":…,"
                        + "\"from\":\"alice\",\"data\":…}]}.",
                "The channel needs a channels rule with history in the app's configuration."})
final class HistoryCommand extends RestVerb {
    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Channel name.")
    String channel;

    @Option(names = "--since", paramLabel = "OFFSET",
            description = "Only messages after this offset (default: the newest LIMIT).")
    Long since;

    @Option(names = "--epoch", paramLabel = "EPOCH",
            description = "The epoch OFFSET belongs to; another epoch than the stream's reports missed messages.")
    String epoch;

    @Option(names = "--limit", paramLabel = "N", description = "At most N messages (1-1000, default 1000).")
    Integer limit;

    @Override
    String method() {
        return "GET";
    }

    @Override
    String path() {
        StringBuilder path = new StringBuilder("/v1/channels/").append(RestCall.segment(channel)).append("/history");
        char separator = '?';
        if (since != null) {
            path.append(separator).append("since=").append(since);
            separator = '&';
        }
        if (epoch != null) {
            path.append(separator).append("epoch=").append(RestCall.segment(epoch));
            separator = '&';
        }
        if (limit != null) {
            path.append(separator).append("limit=").append(limit);
        }
        return path.toString();
    }
}
