package dev.switchboard.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code switchboard publish CHANNEL DATA}: {@code POST /v1/channels/:id/publish} (rest-api.md §4). */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish DATA to every subscriber of CHANNEL, as \"system\" unless --from is given.",
                "Prints the server's answer, e.g. {\"channel\":\"dev/room-1\",\"delivered\":2}."})
final class PublishCommand extends RestVerb {
    private static final JsonMapper JSON = new JsonMapper();

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "Channel name, e.g. dev/room-1.")
    String channel;

    @Parameters(index = "1", paramLabel = "DATA", description = "The message as JSON, e.g. '{\"text\":\"hello\"}' or '\"hi\"'.")
    String data;

    @Option(names = "--from", paramLabel = "ID", description = "Sender id stamped as message.from (default: system).")
    String from;

    @Option(names = "--peer-metadata", paramLabel = "JSON",
            description = "JSON object sent as fromMetadata to subscribers that opted in.")
    String peerMetadata;

    @Override
    String method() {
        return "POST";
    }

    @Override
    String path() {
        return "/v1/channels/" + RestCall.segment(channel) + "/publish";
    }

    @Override
    String body() {
        ObjectNode body = JSON.createObjectNode();
        body.set("data", TokenCommand.json(data, "DATA"));
        if (from != null) {
            body.put("from", from);
        }
        if (peerMetadata != null) {
            body.set("peerMetadata", TokenCommand.json(peerMetadata, "--peer-metadata"));
        }
        return JSON.writeValueAsString(body);
    }
}
