package dev.switchboard.server.cli;

import picocli.CommandLine.Command;

/** {@code switchboard usage}: {@code GET /v1/usage} (rest-api.md §6). */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = {"Show the key's app usage: live connections, totals since start and the configured limits."})
final class UsageCommand extends RestVerb {
    @Override
    String method() {
        return "GET";
    }

    @Override
    String path() {
        return "/v1/usage";
    }
}
