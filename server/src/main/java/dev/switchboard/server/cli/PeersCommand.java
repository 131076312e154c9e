package dev.switchboard.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard peers CHANNEL}: {@code GET /v1/channels/:id/peers} (rest-api.md §3). */
@Command(name = "peers", mixinStandardHelpOptions = true,
        description = {"List the peers subscribed to CHANNEL.",
                "Prints the server's answer, e.g. {\"channel\":\"dev/room-1\",\"peers\":[{\"peerId\":\"alice\"}]}."})
final class PeersCommand extends RestVerb {
    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Channel name (or a pattern subscription's text).")
    String channel;

    @Option(names = "--limit", paramLabel = "N", description = "A page of at most N peers, sorted by peerId (1-10000).")
    Integer limit;

    @Option(names = "--after", paramLabel = "PEERID", description = "The page after this peer (with --limit).")
    String after;

    @Override
    String method() {
        return "GET";
    }

    @Override
    String path() {
        String path = "/v1/channels/" + RestCall.segment(channel) + "/peers";
        if (limit != null) {
            path += "?limit=" + limit + (after == null ? "" : "&after=" + RestCall.segment(after));
        }
        return path;
    }
}
