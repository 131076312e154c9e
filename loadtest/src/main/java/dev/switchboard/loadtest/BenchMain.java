package dev.switchboard.loadtest;

import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.PeerProcess;
import dev.switchboard.loadtest.report.Report;
import dev.switchboard.loadtest.scenario.BenchContext;
import dev.switchboard.loadtest.scenario.ChatScenario;
import dev.switchboard.loadtest.scenario.FanoutScenario;
import dev.switchboard.loadtest.scenario.Outcome;
import dev.switchboard.loadtest.scenario.Scenario;
import dev.switchboard.loadtest.ws.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./switchboard bench [--quick] [--peers all|LIST] [--scenarios LIST]}: installs and starts the peers
 * it can, runs every scenario against Switchboard and each peer (one fresh server process per scenario,
 * placed by {@code --cores}: on CPU 0 with this generator on CPU 1, and on every CPU shared with the generator;
 * both by default, side by side), and writes loadtest/results/&lt;date&gt;/report.md, report.json and the charts.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        String jarCopy = System.getProperty("bench.jarCopy");
        if (jarCopy != null) {
            new java.io.File(jarCopy).deleteOnExit(); // the launcher's private copy of this jar
        }
        Map<String, String> opts = parse(args);
        if (opts.containsKey("help")) {
            System.out.println("""
                    Usage: ./switchboard bench [--quick] [--peers all|none|LIST] [--scenarios LIST] [--out DIR]
                      --quick        a few minutes: fan-out 1,000 subs, chat, storm 10k, idle (peers 10k), churn
                      --peers        comma list of: centrifuge,nats,soketi,socketio,mosquitto,nchan (default all)
                      --scenarios    comma list of: fanout,fanin,rooms,chat,storm,idle,churn,fanout-history,presence-modes,resume (default all)
                      --smoke        seconds: tiny sizes, to check the harness itself
                      --no-install   do not install missing peers
                      --tls          also run Switchboard over native TLS (wss://), beside the plain one
                      --metrics-off  also run Switchboard with metrics switched off, for what metrics cost
                      --cluster      also run two nodes on a redis-server, subscribers on one node and publishers on
                                     the other (fan-out, fan-in and rooms): Switchboard's and Centrifuge's Redis engine
                      --cores        one,all (default), one or all. one: server on CPU 0, generator on CPU 1;
                                     all: server and generator share every CPU, the server sized to all of them
                    """);
            return;
        }
        Path root = Path.of(opts.getOrDefault("root", ".")).toAbsolutePath().normalize();
        boolean smoke = opts.containsKey("smoke");
        boolean quick = opts.containsKey("quick") || smoke;
        // absolute: servers run with raw/ as their working directory and are given paths inside it
        Path out = Path.of(opts.getOrDefault("out",
                root.resolve("loadtest/results/" + LocalDate.now(ZoneOffset.UTC)).toString())).toAbsolutePath().normalize();
        Path raw = out.resolve("raw");
        Files.createDirectories(raw);
        Path cache = Path.of(opts.getOrDefault("cache", System.getProperty("user.home") + "/.cache/switchboard-bench"));
        Path serverJar = Path.of(opts.getOrDefault("server-jar", root.resolve("server/target/switchboard.jar").toString()));
        // copy the jar so a concurrent rebuild cannot swap it mid-run
        Path serverCopy = raw.resolve("switchboard-under-test.jar");
        Files.copy(serverJar, serverCopy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Peer.Layout layout = new Peer.Layout(root.resolve("loadtest/peers"), cache, serverCopy,
                Path.of(System.getProperty("java.home")));
        int cpus = Runtime.getRuntime().availableProcessors();
        List<Placement> placements = new ArrayList<>();
        for (String cores : opts.getOrDefault("cores", "one,all").split(",")) {
            placements.add(switch (cores) {
                case "one" -> Placement.oneCore(cpus);
                case "all" -> Placement.allCores(cpus);
                default -> throw new IllegalArgumentException("--cores takes one, all or one,all, not " + cores);
            });
        }

        List<Peer> peers = selectPeers(opts.getOrDefault("peers", "all"));
        if (opts.containsKey("tls")) {
            peers.add(1, Peer.SWITCHBOARD_TLS); // right after the plain server, in the same run
        }
        if (opts.containsKey("metrics-off")) {
            peers.add(1, Peer.SWITCHBOARD_NO_METRICS);
        }
        if (opts.containsKey("cluster")) {
            peers.addAll(1, Peer.CLUSTERS);
        }
        Set<String> wanted = opts.containsKey("scenarios")
                ? Set.of(opts.get("scenarios").split(",")) : Set.of("fanout", "fanin", "rooms", "chat", "storm", "idle", "churn",
                        "fanout-history", "presence-modes", "resume");
        List<Scenario> scenarios = Bench.scenarios(smoke ? Bench.Size.SMOKE : quick ? Bench.Size.QUICK : Bench.Size.FULL).stream()
                .filter(s -> wanted.contains(s.id())).toList();

        int fdLimit = BenchContext.openFilesLimit();
        int maxConnections = Math.max(100, fdLimit - 2000);
        say("switchboard bench: %s run, %d scenario(s), servers: %s, placements: %s", quick ? "quick" : "full",
                scenarios.size(), peers.stream().map(Peer::id).collect(Collectors.joining(", ")),
                placements.stream().map(Placement::name).collect(Collectors.joining(", ")));
        say("open-files limit %d, results in %s", fdLimit, out);

        Map<String, String> skipped = new LinkedHashMap<>();
        List<Peer> runnable = new ArrayList<>();
        for (Peer p : peers) {
            String why = opts.containsKey("no-install") && !p.recipe().installed(layout)
                    ? "not installed (--no-install)" : PeerProcess.ensureInstalled(p, layout, raw);
            if (why == null) {
                runnable.add(p);
            } else {
                skipped.put(p.label(), why);
                say("  %s: cannot run: %s", p.label(), why);
            }
        }

        List<Outcome> outcomes = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        Instant started = Instant.now();
        String loadAtStart = loadAverage();
        for (Placement placement : placements) {
            placement.pinGenerator();
            int threads = placement.generatorThreads();
            say("placement %s: %s; generator: %d event loop(s)", placement.name(), placement.describe(), threads);
            try (WsClient client = new WsClient(threads, Bench.sourceAddresses(8))) {
                if (!smoke && placement == placements.getFirst() && runnable.contains(Peer.SWITCHBOARD)) {
                    warmUpGenerator(client, raw, maxConnections, placement, layout);
                }
                BenchContext ctx = new BenchContext(client, quick, smoke, raw, maxConnections, placement, System.out);
                runPlacement(runnable, scenarios, placement, layout, raw, ctx, outcomes, labels, skipped);
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("date", started.toString());
        meta.put("mode", smoke ? "--smoke (harness check, not a measurement)" : quick ? "--quick" : "full");
        meta.put("duration", (Instant.now().getEpochSecond() - started.getEpochSecond()) + " s; load average at the end "
                + loadAverage());
        meta.put("machine", machine() + "; load average at start " + loadAtStart
                + " (other work on the machine is noise in these figures)");
        meta.put("pinning", placements.stream().map(pl -> pl.name() + ": " + pl.describe())
                .collect(Collectors.joining("; ")));
        meta.put("Switchboard JVM", "-XX:+UseCompactObjectHeaders -XX:+UseZGC -XX:ActiveProcessorCount=<CPUs of the "
                + "placement>; "
                + "-Xms2g -Xmx2g -XX:+AlwaysPreTouch (idle: -Xms512m -Xmx4g, so RSS includes heap growth); "
                + "ioThreads = the placement's CPUs, per-connection rate limit lifted; Java " + System.getProperty("java.version"));
        meta.put("generator", "Java Netty " + (client0Epoll() ? "epoll" : "NIO") + " client, one event loop per "
                + "CPU it runs on, pre-encoded frames, byte scanning for the payload timestamp; "
                + "8 loopback source addresses (127.0.0.2-9)");
        meta.put("payload", Marker.dataLength() + "-byte JSON data, same for every server");
        new Report(outcomes, labels, skipped, meta).write(out);
        linkLatest(root, out);
        say("report: %s", out.resolve("report.md"));
    }

    /**
     * Short chat and fan-out runs against a throw-away Switchboard whose results are dropped, so that the
     * generator's read and scan paths are compiled before the first measured server: without it the first server
     * of a run (always Switchboard) met a generator still compiling them, and its chat p99 came out 1–3 ms worse
     * than the same server's later in the run (docs/performance.md, "Metrics on and off").
     */
    private static void warmUpGenerator(WsClient client, Path raw, int maxConnections, Placement placement,
                                        Peer.Layout layout) {
        say("==> warming the generator up (results dropped)");
        BenchContext quiet = new BenchContext(client, true, true, raw, maxConnections, placement,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        for (Scenario warm : List.of(new ChatScenario(2000, 5, 1), new FanoutScenario(1000))) {
            Bench.runWithProcess(Peer.SWITCHBOARD, "warm-up", layout, raw, placement, warm, quiet);
        }
    }

    /** Runs every scenario against every server in {@code placement}, labelling them with its suffix. */
    private static void runPlacement(List<Peer> runnable, List<Scenario> scenarios, Placement placement,
                                     Peer.Layout layout, Path raw, BenchContext ctx, List<Outcome> outcomes,
                                     List<String> labels, Map<String, String> skipped) {
        for (Peer p : runnable) {
            String label = (p == Peer.SWITCHBOARD ? Report.SWITCHBOARD : p.label()) + placement.labelSuffix();
            labels.add(label);
            boolean anyStarted = false;
            for (Scenario s : scenarios) {
                if (!s.supports(p) || (p.cluster() && !(s instanceof FanoutScenario))) {
                    continue; // the cluster is measured where deliveries cross nodes: fan-out, fan-in, rooms
                }
                say("==> %s: %s", label, s.title());
                Outcome o = Bench.runWithProcess(p, label, layout, raw, placement, s, ctx);
                o.series.replaceAll(series -> series.named(series.name().replace(p.label(), label)));
                outcomes.add(o);
                if (o.error == null || !o.error.contains("exited at start")) {
                    anyStarted = true;
                }
            }
            if (!anyStarted) {
                skipped.put(label, "did not start: " + outcomes.getLast().error);
                labels.remove(label);
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static boolean client0Epoll() {
        return io.netty.channel.epoll.Epoll.isAvailable();
    }

    private static String machine() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** Points the "latest report" line of loadtest/README.md at {@code out}. */
    private static void linkLatest(Path root, Path out) {
        Path readme = root.resolve("loadtest/README.md");
        try {
            if (!Files.isRegularFile(readme) || !out.startsWith(root.resolve("loadtest"))) {
                return;
            }
            String rel = root.resolve("loadtest").relativize(out.resolve("report.md")).toString();
            String text = Files.readString(readme);
            String updated = text.replaceAll("(?m)^Latest report: .*$", "Latest report: [" + rel + "](" + rel + ")");
            if (!updated.equals(text)) {
                Files.writeString(readme, updated);
            }
        } catch (IOException e) {
            say("note: could not update %s: %s", readme, e.getMessage());
        }
    }

    static List<Peer> selectPeers(String spec) {
        List<Peer> list = new ArrayList<>();
        list.add(Peer.SWITCHBOARD);
        if (spec.equals("none")) {
            return list;
        }
        List<String> ids = spec.equals("all")
                ? Peer.ALL.stream().map(Peer::id).toList() : Arrays.asList(spec.split(","));
        for (Peer p : Peer.ALL) {
            if (p != Peer.SWITCHBOARD && ids.contains(p.id())) {
                list.add(p);
            }
        }
        for (String id : ids) {
            if (Peer.ALL.stream().noneMatch(p -> p.id().equals(id))) {
                throw new IllegalArgumentException("unknown peer '" + id + "'; known: "
                        + Peer.ALL.stream().map(Peer::id).collect(Collectors.joining(",")));
            }
        }
        return list;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                opts.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (Set.of("quick", "smoke", "help", "no-install", "tls", "metrics-off", "cluster").contains(name)) {
                opts.put(name, "true");
            } else if (i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("missing value for " + a);
            }
        }
        return opts;
    }

    private static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
        System.out.flush();
    }
}
