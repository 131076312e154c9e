package dev.switchboard.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code switchboard kick PEER}: {@code DELETE /v1/peers/:id} (rest-api.md §5). */
@Command(name = "kick", mixinStandardHelpOptions = true,
        description = {"Close every connection of PEER with 4020 (the SDK does not reconnect).",
                "Prints the server's answer, e.g. {\"peerId\":\"alice\",\"closed\":1}."})
final class KickCommand extends RestVerb {
    @Parameters(index = "0", paramLabel = "PEER", description = "The peer id (the token's sub).")
    String peer;

    @Override
    String method() {
        return "DELETE";
    }

    @Override
    String path() {
        return "/v1/peers/" + RestCall.segment(peer);
    }
}
