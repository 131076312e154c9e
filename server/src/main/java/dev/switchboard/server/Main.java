package dev.switchboard.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The runnable jar: {@code switchboard <verb>}. Exit status 0 on success, 1 on failure, 2 on bad usage or config. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = "Switchboard 0.1.0",
        description = "Self-hosted realtime messaging, presence and WebRTC signalling.",
        subcommands = {ServeCommand.class, DevCommand.class, ConnectCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
