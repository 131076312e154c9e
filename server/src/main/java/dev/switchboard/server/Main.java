package dev.switchboard.server;

import dev.switchboard.server.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The runnable jar: {@code switchboard <verb>}. Exit status 0 on success, 1 on failure, 2 on bad usage or config. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Self-hosted realtime messaging, presence and WebRTC signalling.",
        subcommands = {ServeCommand.class, DevCommand.class, ReloadCommand.class, ConnectCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    /** {@code --version}: the project version of this build. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Switchboard " + Version.get()};
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit status (0 success, 1 failure, 2 bad usage or config). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        Cli.register(commandLine);
        return commandLine.execute(args);
    }
}
