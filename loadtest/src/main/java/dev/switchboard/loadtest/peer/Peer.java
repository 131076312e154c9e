package dev.switchboard.loadtest.peer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One server the bench can run: how to tell it is installed, how to install it (Debian packages, npm, a Go
 * build in the cache directory — never in the repository), how to start it on loopback, and how to speak to
 * it. Install and start recipes follow shared/peers/README.md; the files they need are in loadtest/peers/.
 */
public record Peer(String id, String label, int port, boolean jvm, boolean presenceCapable,
                   ProtocolFactory protocols, Recipe recipe) {

    /** Makes the protocol adapter, with or without presence. */
    @FunctionalInterface
    public interface ProtocolFactory {
        PeerProtocol create(boolean presence);
    }

    /** Install check, install script and start command for one peer. */
    public interface Recipe {
        boolean installed(Layout layout);

        /** A bash script that installs the peer (run only when {@link #installed} is false). */
        String install(Layout layout);

        /** Working directory, command line and environment of the server process (before taskset). */
        Launch launch(Layout layout, Path workDir, boolean presence);
    }

    public record Launch(Path dir, List<String> command, Map<String, String> env) {
    }

    /** Where things live: peer recipe files (loadtest/peers), the install cache and the server jar. */
    public record Layout(Path peerFiles, Path cache, Path serverJar, Path javaHome) {
    }

    public static final Peer SWITCHBOARD = switchboard("switchboard", "Switchboard", 7093, false);

    /** The same server with native TLS (a dev certificate), for the plain-against-TLS figures ({@code --tls}). */
    public static final Peer SWITCHBOARD_TLS = switchboard("switchboard-tls", "Switchboard over TLS", 7094, true);

    /** The same server with {@code metrics.enabled: false}, for the cost of metrics ({@code --metrics-off}). */
    public static final Peer SWITCHBOARD_NO_METRICS = switchboard("switchboard-no-metrics", "Switchboard, metrics off",
            7095, false);

    /**
     * Two Switchboard nodes and a redis-server, all on the placement's server CPUs (their CPU time summed):
     * subscribers connect to the first node and publishers to the second ({@link #publishPort}), so every
     * delivery crosses nodes through Redis.
     */
    public static final Peer SWITCHBOARD_CLUSTER = new Peer("switchboard-cluster",
            "Switchboard, 2 nodes on Redis 7.0", 7096, true, true, presence -> new SwitchboardProtocol(presence, false),
            new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isRegularFile(l.serverJar()) && onPath("redis-server");
                }

                @Override
                public String install(Layout l) {
                    return aptInstall("redis-server");
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    return new Launch(work, List.of(), Map.of()); // built by PeerProcess (JVM flags vary)
                }
            });

    /** Whether this is two nodes on a redis-server, measured with deliveries crossing nodes. */
    public boolean cluster() {
        return id.endsWith("-cluster");
    }

    /** The port publishers connect to: a cluster's second node, else the only one. */
    public int publishPort() {
        return cluster() ? port + 1 : port;
    }

    /** The port of a cluster's redis-server. */
    public int redisPort() {
        return port + 2;
    }

    private static Peer switchboard(String id, String label, int port, boolean tls) {
        return new Peer(id, label, port, true, true, presence -> new SwitchboardProtocol(presence, tls), new Recipe() {
            @Override
            public boolean installed(Layout l) {
                return Files.isRegularFile(l.serverJar());
            }

            @Override
            public String install(Layout l) {
                return "echo 'build it: ./mvnw -DskipTests install' >&2; exit 1";
            }

            @Override
            public Launch launch(Layout l, Path work, boolean presence) {
                return new Launch(work, List.of(), Map.of()); // built by PeerProcess (JVM flags vary)
            }
        });
    }

    public static final Peer CENTRIFUGE = new Peer("centrifuge", "Centrifuge 0.15", 8000, false, true,
            CentrifugeProtocol::new, new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isExecutable(l.cache().resolve("centrifuge/cent-server"));
                }

                @Override
                public String install(Layout l) {
                    return aptInstall("golang-go golang-github-centrifugal-centrifuge-dev "
                            + "golang-github-centrifugal-protocol-dev golang-github-fzambia-eagle-dev "
                            + "golang-github-igm-sockjs-go-dev golang-github-mna-redisc-dev")
                            + "mkdir -p '" + l.cache() + "/centrifuge' && cp '" + l.peerFiles()
                            + "/centrifuge-main.go' '" + l.cache() + "/centrifuge/' && cd '" + l.cache()
                            + "/centrifuge' && GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off "
                            + "GOCACHE='" + l.cache() + "/gocache' go build -o cent-server centrifuge-main.go\n";
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    return new Launch(l.cache().resolve("centrifuge"),
                            List.of(l.cache().resolve("centrifuge/cent-server").toString()),
                            Map.of("CENT_PRESENCE", presence ? "1" : "0"));
                }
            });

    /**
     * Two processes of the same Centrifuge server on the library's Redis broker and presence manager, and a
     * redis-server, all on the placement's server CPUs: subscribers on the first, publishers on the second.
     */
    public static final Peer CENTRIFUGE_CLUSTER = new Peer("centrifuge-cluster", "Centrifuge 0.15, 2 nodes on Redis 7.0",
            8000, false, true, CentrifugeProtocol::new, new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isExecutable(l.cache().resolve("centrifuge/cent-server-redis")) && onPath("redis-server");
                }

                @Override
                public String install(Layout l) {
                    return CENTRIFUGE.recipe().install(l).replace("-o cent-server ", "-o cent-server-redis ")
                            + aptInstall("redis-server");
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    String server = l.cache().resolve("centrifuge/cent-server-redis").toString();
                    int redis = 8002;
                    String script = "set -e\n"
                            + "redis-server --bind 127.0.0.1 --port " + redis + " --save '' --appendonly no --logfile '"
                            + work.resolve("centrifuge-cluster-redis.log") + "' &\n"
                            + "for i in $(seq 200); do redis-cli -p " + redis
                            + " ping >/dev/null 2>&1 && break; sleep 0.05; done\n"
                            + "CENT_PORT=8000 CENT_REDIS=127.0.0.1:" + redis + " '" + server + "' &\n"
                            + "CENT_PORT=8001 CENT_REDIS=127.0.0.1:" + redis + " '" + server + "' &\n"
                            + "wait\n";
                    return new Launch(work, List.of("bash", "-c", script), Map.of("CENT_PRESENCE", presence ? "1" : "0"));
                }
            });

    public static final Peer NATS = new Peer("nats", "NATS-WS 2.9", 8080, false, false,
            p -> new NatsProtocol(), new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return onPath("nats-server");
                }

                @Override
                public String install(Layout l) {
                    return aptInstall("nats-server");
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    return new Launch(work, List.of(which("nats-server"), "-c", l.peerFiles().resolve("nats.conf").toString()),
                            Map.of());
                }
            });

    public static final Peer SOKETI = new Peer("soketi", "Soketi 1.6", 6001, false, true,
            PusherProtocol::new, new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isDirectory(l.cache().resolve("soketi/node_modules/@soketi/soketi")) && onPath("node");
                }

                @Override
                public String install(Layout l) {
                    return nodeAndNpm() + "mkdir -p '" + l.cache() + "/soketi' && cd '" + l.cache()
                            + "/soketi' && cp '" + l.peerFiles() + "/soketi-package.json' package.json && "
                            + "npm install --no-audit --no-fund\n";
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    Path dir = l.cache().resolve("soketi");
                    // soketi-start.sh's settings, inlined so they cannot be lost: CLUSTER_* keeps its UDP on loopback
                    return new Launch(dir, List.of(which("node"), dir.resolve("node_modules/@soketi/soketi/bin/server.js").toString(), "start"),
                            Map.ofEntries(Map.entry("SOKETI_HOST", "127.0.0.1"), Map.entry("SOKETI_PORT", "6001"),
                                    Map.entry("SOKETI_METRICS_HOST", "127.0.0.1"),
                                    Map.entry("SOKETI_METRICS_SERVER_PORT", "9601"),
                                    Map.entry("SOKETI_CLUSTER_HOST", "127.0.0.1"),
                                    Map.entry("SOKETI_CLUSTER_UNICAST_ADDRESSES", "127.0.0.1"),
                                    Map.entry("SOKETI_CLUSTER_PORT", "11002"),
                                    Map.entry("SOKETI_DEFAULT_APP_ID", "app-id"),
                                    Map.entry("SOKETI_DEFAULT_APP_KEY", PusherProtocol.APP_KEY),
                                    Map.entry("SOKETI_DEFAULT_APP_SECRET", PusherProtocol.APP_SECRET),
                                    Map.entry("SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true"),
                                    Map.entry("SOKETI_PRESENCE_MAX_MEMBERS", "100000"),
                                    Map.entry("SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC", "-1"),
                                    Map.entry("SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC", "-1")));
                }
            });

    public static final Peer SOCKETIO = new Peer("socketio", "Socket.IO 4.8", 3000, false, false,
            p -> new SocketIoProtocol(), new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isDirectory(l.cache().resolve("socketio/node_modules/socket.io")) && onPath("node");
                }

                @Override
                public String install(Layout l) {
                    return nodeAndNpm() + "mkdir -p '" + l.cache() + "/socketio' && cd '" + l.cache()
                            + "/socketio' && cp '" + l.peerFiles() + "/socketio-server.js' . && "
                            + "{ [ -f package.json ] || echo '{\"name\":\"socketio-peer\",\"private\":true}' > package.json; } && "
                            + "npm install --no-audit --no-fund socket.io@4.8.4\n";
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    Path dir = l.cache().resolve("socketio");
                    return new Launch(dir, List.of(which("node"), l.peerFiles().resolve("socketio-server.js").toString()),
                            Map.of("PORT", "3000", "NODE_PATH", dir.resolve("node_modules").toString()));
                }
            });

    public static final Peer MOSQUITTO = new Peer("mosquitto", "Mosquitto 2.0", 9001, false, false,
            p -> new MqttProtocol(), new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isExecutable(Path.of("/usr/sbin/mosquitto")) || onPath("mosquitto");
                }

                @Override
                public String install(Layout l) {
                    return aptInstall("mosquitto");
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    String bin = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : which("mosquitto");
                    return new Launch(work, List.of(bin, "-c", l.peerFiles().resolve("mosq.conf").toString()), Map.of());
                }
            });

    public static final Peer NCHAN = new Peer("nchan", "nginx+nchan", 8090, false, false,
            p -> new NchanProtocol(), new Recipe() {
                @Override
                public boolean installed(Layout l) {
                    return Files.isRegularFile(Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so"))
                            && Files.isExecutable(Path.of("/usr/sbin/nginx"));
                }

                @Override
                public String install(Layout l) {
                    return aptInstall("nginx-light libnginx-mod-nchan");
                }

                @Override
                public Launch launch(Layout l, Path work, boolean presence) {
                    Path dir = work.resolve("nchan");
                    try {
                        Files.createDirectories(dir.resolve("tmp"));
                        String conf = Files.readString(l.peerFiles().resolve("nchan-nginx.conf.template"))
                                .replace("NCHAN_DIR", dir.toString())
                                .replace("worker_connections 20000", "worker_connections 120000");
                        Files.writeString(dir.resolve("nginx.conf"), "worker_rlimit_nofile 200000;\n" + conf);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    return new Launch(dir, List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", "nginx.conf",
                            "-e", dir.resolve("error.log").toString()), Map.of());
                }
            });

    public static final List<Peer> ALL = List.of(SWITCHBOARD, CENTRIFUGE, NATS, SOKETI, SOCKETIO, MOSQUITTO, NCHAN);

    /** The clusters ({@code --cluster}): Switchboard's and, where it builds, Centrifuge's on Redis. */
    public static final List<Peer> CLUSTERS = List.of(SWITCHBOARD_CLUSTER, CENTRIFUGE_CLUSTER);

    /**
     * Debian's Node.js and npm, unless a node and an npm are already on the PATH: NodeSource's {@code nodejs}
     * bundles npm, and Debian's {@code npm} package cannot be installed beside it.
     */
    static String nodeAndNpm() {
        return "if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then\n"
                + aptInstall("nodejs npm") + "fi\n";
    }

    static String aptInstall(String packages) {
        return "export DEBIAN_FRONTEND=noninteractive\n"
                + "missing=0; for p in " + packages + "; do dpkg -s $p >/dev/null 2>&1 || missing=1; done\n"
                + "if [ $missing = 1 ]; then [ \"$(id -u)\" = 0 ] || { echo 'needs root for apt-get' >&2; exit 1; }; "
                + "apt-get update -qq && apt-get install -y -qq --no-install-recommends " + packages + " || exit 1; fi\n";
    }

    static boolean onPath(String command) {
        return which(command) != null;
    }

    static String which(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/local/bin", "/usr/bin")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
