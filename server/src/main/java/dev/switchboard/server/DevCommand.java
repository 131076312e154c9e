package dev.switchboard.server;

import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchboard dev}: a server on 127.0.0.1:7070 with a development app whose keys are generated on first
 * run and kept in {@code .switchboard/dev.yaml} (ignored by git), printing the URL, the keys and a sample JWT.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run a development server with a generated app and keys (kept in .switchboard/dev.yaml).")
final class DevCommand implements Callable<Integer> {
    static final String DEV_APP = "dev";

    @Option(names = "--port", defaultValue = "7070", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "H",
            description = "Address (default: 127.0.0.1; with --tls 0.0.0.0, so other devices on the network can connect).")
    String host;

    @Option(names = "--tls", description = "Serve https:// and wss:// with a certificate for localhost and this machine's"
            + " addresses, signed by a local CA kept in the state directory (tls/ca.pem: trust it once per device).")
    boolean tls;

    @Option(names = "--state-dir", defaultValue = ".switchboard", paramLabel = "DIR",
            description = "Where the generated dev configuration lives (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        Path file = stateDir.resolve("dev.yaml");
        if (!Files.exists(file)) {
            writeDevConfig(file);
        }
        SwitchboardConfig config;
        try {
            config = ConfigLoader.load(file).withAddress(host != null ? host : tls ? "0.0.0.0" : "127.0.0.1", port)
                    .withDemo(true);
        } catch (ConfigException e) {
            System.err.println("switchboard: " + e.getMessage() + " (delete " + file + " to generate a fresh one)");
            return 2;
        }
        if (!tls) {
            return Runner.runUntilSignalled(config, server -> System.out.println(banner(server, file)));
        }
        DevCertificates certificates = new DevCertificates(stateDir.resolve("tls"));
        SwitchboardConfig secured = config.withTls(certificates.ensure(DevCertificates.machineNames()));
        return Runner.runUntilSignalled(secured,
                server -> System.out.println(banner(server, file) + tlsBanner(server, certificates)));
    }

    /** Where to open the pages over TLS, and how to trust the dev CA once per device. */
    private static String tlsBanner(SwitchboardServer server, DevCertificates certificates) {
        StringBuilder open = new StringBuilder("  Open from this machine  https://localhost:" + server.port() + "/\n");
        boolean everywhere = server.config().listener().host().equals("0.0.0.0");
        for (String address : everywhere ? DevCertificates.lanAddresses() : List.<String>of()) {
            open.append("  Open from other devices https://").append(address).append(':').append(server.port())
                    .append("/\n");
        }
        String ca = certificates.authority().toAbsolutePath().toString();
        return """

                  TLS (https://, wss://): the certificate is signed by a local dev CA, %s
                %s  Trust that CA once per device (it signs only this dev server's certificates):
                    Node (SDK, MeteredPeer)  NODE_EXTRA_CA_CERTS=%s node app.js
                    switchboard CLI          export SWITCHBOARD_CACERT=%s   (connect, usage, publish, …)
                    Chromium/Chrome, Linux   certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n switchboard-dev -i %s
                    macOS                    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain %s
                    Firefox                  Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import
                    Android, iOS             copy ca.pem to the device and install it as a CA certificate
                                             (iOS: then turn it on under General > About > Certificate Trust Settings)
                %s""".formatted(ca, open, ca, ca, ca, ca, everywhere
                ? "  Listening on every interface: anyone on this network can open the demo and get a dev token"
                        + " (--host 127.0.0.1 keeps it to this machine).\n" : "");
    }

    private static void writeDevConfig(Path file) throws IOException {
        KeyGenerator keys = new KeyGenerator();
        String yaml = """
                # Generated by `switchboard dev` for local development. Not for production: regenerate
                # by deleting this file. Shape: see README.md "Configuration".
                server:
                  host: 127.0.0.1
                  port: 7070
                apps:
                  - id: %s
                    keys:
                      - type: publishable
                        id: %s
                        channelPatterns: ["**"]
                        actions: [subscribe, publish, presence, send]
                      - type: secret
                        id: %s
                        secret: %s
                        channelPatterns: ["**"]
                        actions: [subscribe, publish, presence, send]
                    channels:                  # per-channel settings, first match wins (docs/history.md)
                      - pattern: "room-*"      # history: offsets, REST history, resume after a dropped connection
                        history: { size: 100, ttl: 5m }
                """.formatted(DEV_APP, keys.publishableId(), keys.secretId(), keys.secret());
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }

    private static String banner(SwitchboardServer server, Path file) {
        AppConfig app = server.config().apps().getFirst();
        KeyConfig publishable = firstKey(app, KeyType.PUBLISHABLE);
        KeyConfig secret = firstKey(app, KeyType.SECRET);
        long now = System.currentTimeMillis() / 1000;
        String jwt = TokenMinter.mint(secret, new TokenRequest("dev-user", now, now + 3600, null, null, null,
                RawJson.of("{\"username\":\"Dev User\"}")));
        String origin = server.origin();
        return """

                Switchboard dev server — app '%s' (config: %s)

                  Classroom demo           %s/   (open it in two browser windows; also /dashboard, /call)
                  URL (SDK option `url`)   %s
                  WebSocket endpoint       %s/v1
                  Publishable key          %s
                  Secret key (REST)        %s:%s
                  Sample JWT (sub=dev-user, all actions, valid 1 h):
                    %s

                  Try it:  ./switchboard connect '%s/v1?key=%s'
                  Backend: ./switchboard usage --url %s --key %s:%s
                           (also publish, peers, kick, token; each has --help; REST: docs/rest-api.md)
                  Metrics: %s/metrics   readiness: %s/readyz   (docs/operations.md)
                  Stop with Ctrl-C (connections get going_away, then close 1001).
                """.formatted(app.id(), file, server.httpOrigin(), origin, origin, publishable.id(), secret.id(), secret.secret(), jwt,
                origin, publishable.id(), server.httpOrigin(), secret.id(), secret.secret(), server.httpOrigin(),
                server.httpOrigin());
    }

    private static KeyConfig firstKey(AppConfig app, KeyType type) {
        return app.keys().stream().filter(k -> k.type() == type).findFirst()
                .orElseThrow(() -> new IllegalStateException("dev app has no " + type + " key"));
    }
}
