package dev.switchboard.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchboard serve --config FILE [--port N] [--host H] [--set PATH=VALUE]...}: runs a server from a YAML
 * configuration, with settings from the environment and the command line over the file's (ConfigOverrides).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the server from a YAML configuration (apps, keys, limits).")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (overrides server.port).")
    Integer port;

    @Option(names = "--host", paramLabel = "H", description = "Address to bind (overrides server.host).")
    String host;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "A server:, metrics: or health: setting over "
            + "the file's and the environment's, e.g. --set server.keepalive.interval=20s (repeatable).")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        SwitchboardConfig loaded;
        try {
            List<String> flags = new ArrayList<>(sets);
            if (host != null) {
                flags.add("server.host=" + host);
            }
            if (port != null) {
                flags.add("server.port=" + port);
            }
            loaded = ConfigLoader.load(config, ConfigOverrides.collect(System.getenv(), flags), System.getenv());
        } catch (ConfigException e) {
            System.err.println("switchboard: refusing to start: " + e.getMessage());
            return 2;
        }
        return Runner.runUntilSignalled(loaded, server -> System.out.println(
                "Switchboard listening on " + server.origin() + "/v1"));
    }
}
