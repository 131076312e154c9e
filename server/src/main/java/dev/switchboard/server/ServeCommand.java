package dev.switchboard.server;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchboard serve --config FILE [--port N] [--host H]}: runs a server from a YAML configuration. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the server from a YAML configuration (apps, keys, limits).")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (overrides server.port).")
    Integer port;

    @Option(names = "--host", paramLabel = "H", description = "Address to bind (overrides server.host).")
    String host;

    @Override
    public Integer call() throws Exception {
        SwitchboardConfig loaded;
        try {
            loaded = ConfigLoader.load(config).withAddress(host, port);
        } catch (ConfigException e) {
            System.err.println("switchboard: refusing to start: " + e.getMessage());
            return 2;
        }
        return Runner.runUntilSignalled(loaded, server -> System.out.println(
                "Switchboard listening on " + server.origin() + "/v1"));
    }
}
