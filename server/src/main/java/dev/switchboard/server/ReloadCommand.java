package dev.switchboard.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code switchboard reload [--config FILE]}: makes the server running from FILE re-read it (SIGHUP to the process
 * id in its state directory) and prints the outcome the server recorded there. A file that does not validate is
 * reported without signalling: the server would refuse it and keep its configuration anyway.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Apply a changed configuration file to the running server without a restart:",
                "apps and keys added or revoked, limits and suspension changed. Sessions of a revoked key",
                "close with 4001, of a newly suspended app with 4012. Same as sending the server SIGHUP."})
final class ReloadCommand implements Callable<Integer> {
    private static final long WAIT_MILLIS = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--config", paramLabel = "FILE", defaultValue = ".switchboard/dev.yaml",
            description = "The file the server was started with (default: ${DEFAULT-VALUE}, the dev server's).")
    Path config;

    @Override
    public Integer call() throws Exception {
        SwitchboardConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("switchboard reload: not sent, the file does not validate: " + e.getMessage());
            System.err.println("  (the running server keeps its configuration)");
            return 1;
        }
        Path state = loaded.stateDir();
        Optional<ProcessHandle> server = readPid(state.resolve(StateDirectory.PID)).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive);
        if (server.isEmpty()) {
            System.err.println("switchboard reload: no running server found for " + config + " (no live process id in "
                    + state.resolve(StateDirectory.PID) + ")");
            return 1;
        }
        long sentAt = System.currentTimeMillis();
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.get().pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            System.err.println("switchboard reload: could not signal process " + server.get().pid());
            return 1;
        }
        Path outcome = state.resolve(StateDirectory.RELOAD);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            JsonNode result = read(outcome);
            if (result != null && result.path("atMillis").asLong() >= sentAt) {
                boolean ok = result.path("ok").asBoolean();
                (ok ? System.out : System.err).println("switchboard reload: " + (ok ? "applied " : "refused ")
                        + result.path("message").asString());
                return ok ? 0 : 1;
            }
            TimeUnit.MILLISECONDS.sleep(50); // a CLI waiting for another process's file; bounded by WAIT_MILLIS
        }
        System.err.println("switchboard reload: signalled process " + server.get().pid() + " but it recorded no outcome in "
                + outcome + " within " + WAIT_MILLIS / 1000 + " s; see its log");
        return 1;
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null; // not written yet
        }
    }
}
