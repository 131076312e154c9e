package dev.switchboard.server.cli;

import picocli.CommandLine;

/**
 * The operator verbs beside {@code serve} and {@code dev}: {@code keys new} and {@code token} work offline on a
 * configuration; {@code publish}, {@code peers}, {@code kick} and {@code usage} call a running server's REST API
 * and print its JSON answer. Exit status: 0 success, 1 the server refused or could not be reached, 2 bad usage.
 */
public final class Cli {
    private Cli() {
    }

    /** Adds the operator verbs to the root command. */
    public static void register(CommandLine root) {
        root.addSubcommand(new CommandLine(new KeysCommand()).addSubcommand(new KeysNewCommand()));
        root.addSubcommand(new TokenCommand());
        root.addSubcommand(new PublishCommand());
        root.addSubcommand(new PeersCommand());
        root.addSubcommand(new HistoryCommand());
        root.addSubcommand(new KickCommand());
        root.addSubcommand(new UsageCommand());
    }
}
