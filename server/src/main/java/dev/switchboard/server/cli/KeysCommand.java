package dev.switchboard.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code switchboard keys}: the key verbs; on its own it prints their usage. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Generate keys for the configuration file.")
final class KeysCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("switchboard keys: say what to do, e.g. `switchboard keys new --type secret`");
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
