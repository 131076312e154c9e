package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Placement;
import dev.switchboard.loadtest.ws.WsClient;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What scenarios share: the generator's connection factory, whether this is a {@code --quick} run, the raw
 * output directory, the cap on connections the generator's file-descriptor limit allows, and where the
 * server and the generator run.
 */
public record BenchContext(WsClient client, boolean quick, boolean smoke, Path raw, int maxConnections,
                           Placement placement, PrintStream log) {

    public void log(String format, Object... args) {
        log.printf("    " + format + "%n", args);
        log.flush();
    }

    /** Open-files limit of this process (the server inherits it), from /proc/self/limits. */
    public static int openFilesLimit() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring(26).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Integer.MAX_VALUE : Integer.parseInt(soft);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through
        }
        return 1024;
    }
}
