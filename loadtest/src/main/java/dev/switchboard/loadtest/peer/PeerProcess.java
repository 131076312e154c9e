package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Placement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running server under test: started pinned to its CPUs with {@code taskset}, on 127.0.0.1, output to a
 * log in the raw directory; stopped by its PID (and its children's) in {@link #close()} and, should the
 * bench die, by a shutdown hook. Also reads the process tree's CPU time and RSS from /proc and, for the JVM,
 * live heap and NMT through jcmd.
 */
public final class PeerProcess implements AutoCloseable {
    private static final Set<PeerProcess> LIVE = ConcurrentHashMap.newKeySet();
    /** The last line of {@code GC.class_histogram}: {@code Total <instances> <bytes>}. */
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("Total\\s+\\d+\\s+(\\d+)");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PeerProcess::close), "stop-peers"));
    }

    private final Peer peer;
    private final Process process;
    private final Path log;
    private final Path javaHome;

    private PeerProcess(Peer peer, Process process, Path log, Path javaHome) {
        this.peer = peer;
        this.process = process;
        this.log = log;
        this.javaHome = javaHome;
        LIVE.add(this);
    }

    /** Installs {@code peer} if missing; returns null on success, else the reason it could not be installed. */
    public static String ensureInstalled(Peer peer, Peer.Layout layout, Path rawDir) {
        if (peer.recipe().installed(layout)) {
            return null;
        }
        Path out = rawDir.resolve("install-" + peer.id() + ".log");
        try {
            Files.createDirectories(layout.cache());
            Process p = new ProcessBuilder("bash", "-c", "set -e\n" + peer.recipe().install(layout))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "install timed out (see " + out.getFileName() + ")";
            }
            if (p.exitValue() != 0 || !peer.recipe().installed(layout)) {
                return "install failed: " + lastLine(out);
            }
            return null;
        } catch (IOException e) {
            return "install failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String lastLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "(no output)";
    }

    /**
     * Starts {@code peer} on the server CPUs of {@code placement} (a JVM sized to them) and waits up to 30 s for
     * its port. {@code presence} turns presence on where that is a server setting; {@code nmt} adds Native
     * Memory Tracking to the JVM.
     */
    public static PeerProcess start(Peer peer, Peer.Layout layout, Path work, Placement placement, boolean presence,
                                    boolean nmt, String tag) throws IOException, InterruptedException {
        if (portOpen(peer.port())) {
            throw new IOException("port " + peer.port() + " is already in use; is another " + peer.id() + " running?");
        }
        Files.createDirectories(work);
        List<String> cmd = new ArrayList<>();
        String cpus = placement.serverCpuList();
        if (cpus != null && Peer.onPath("taskset")) {
            cmd.addAll(List.of("taskset", "-c", cpus));
        }
        Path dir;
        Map<String, String> env;
        if (peer == Peer.SWITCHBOARD_CLUSTER) {
            cmd.addAll(List.of("bash", "-c", clusterScript(layout, work, placement, tag)));
            dir = work;
            env = Map.of();
        } else if (peer.jvm()) {
            Path config = work.resolve("switchboard-bench.yaml");
            Path tls = peer == Peer.SWITCHBOARD_TLS ? selfSigned(work.resolve("tls")) : null;
            Files.writeString(config, SwitchboardProtocol.config(peer.port(), tls, placement.serverCores(),
                    peer != Peer.SWITCHBOARD_NO_METRICS));
            cmd.add(layout.javaHome().resolve("bin/java").toString());
            cmd.addAll(serverJvmFlags(placement));
            // Throughput scenarios: a fixed, pre-touched heap, as the production notes in docs/performance.md recommend —
            // a growing ZGC heap faults in (and the kernel zeroes) every new page on first use, which took 16 % of
            // the server's CPU in a connect storm. The idle scenario keeps a growing heap so that RSS per connection
            // includes the heap the connections need, as it does for the other servers.
            cmd.addAll(nmt ? List.of("-Xms512m", "-Xmx4g") : List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"));
            String extra = System.getenv("SWITCHBOARD_BENCH_SERVER_OPTS"); // later flags win: for A/B runs of JVM settings
            if (extra != null && !extra.isBlank()) {
                cmd.addAll(List.of(extra.trim().split("\\s+")));
            }
            // gc+phases: ZGC logs its (sub-millisecond) pauses only there; G1 logs them at plain gc
            cmd.add("-Xlog:gc,gc+phases:file=" + work.resolve(peer.id() + "-" + tag + "-gc.txt") + ":uptime");
            if (nmt) {
                cmd.add("-XX:NativeMemoryTracking=summary");
            } else {
                // execution samples for the report's hot-spot list (profile settings: 10 ms sampling, ~2% overhead)
                cmd.add("-XX:StartFlightRecording=filename=" + work.resolve(peer.id() + "-" + tag + ".jfr")
                        + ",dumponexit=true,settings=profile");
            }
            cmd.addAll(List.of("-jar", layout.serverJar().toString(), "serve", "--config", config.toString(),
                    "--port", String.valueOf(peer.port()), "--host", "127.0.0.1"));
            dir = work;
            env = Map.of();
        } else {
            Peer.Launch launch = peer.recipe().launch(layout, work, presence);
            cmd.addAll(launch.command());
            dir = launch.dir();
            env = launch.env();
        }
        Path log = work.resolve(peer.id() + "-" + tag + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        PeerProcess proc = new PeerProcess(peer, pb.start(), log, layout.javaHome());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!portOpen(peer.port()) || !portOpen(peer.publishPort())) {
            if (!proc.process.isAlive()) {
                proc.close();
                throw new IOException(peer.id() + " exited at start: " + lastLine(log));
            }
            if (System.nanoTime() > deadline) {
                proc.close();
                throw new IOException(peer.id() + " did not open port " + peer.port() + " within 30 s");
            }
            Thread.sleep(100);
        }
        return proc;
    }

    /** The JVM flags every Switchboard server of the bench runs with, sized to the placement's CPUs. */
    private static List<String> serverJvmFlags(Placement placement) {
        return List.of("-XX:+UseCompactObjectHeaders", "-XX:+UseZGC",
                "-XX:ActiveProcessorCount=" + placement.serverCores(), "-XX:+ExitOnOutOfMemoryError");
    }

    /**
     * The launch of {@link Peer#SWITCHBOARD_CLUSTER}: a redis-server without persistence, then two nodes joined to
     * it, each a JVM as the single server's but with half its heap and no flight recording; the shell waits for
     * them, so stopping the tree stops all three.
     */
    private static String clusterScript(Peer.Layout layout, Path work, Placement placement, String tag)
            throws IOException {
        Peer peer = Peer.SWITCHBOARD_CLUSTER;
        int redis = peer.redisPort();
        String uri = "redis://127.0.0.1:" + redis;
        StringBuilder script = new StringBuilder("set -e\n")
                .append("redis-server --bind 127.0.0.1 --port ").append(redis)
                .append(" --save '' --appendonly no --logfile '").append(work.resolve("redis-" + tag + ".log"))
                .append("' &\n")
                .append("for i in $(seq 200); do redis-cli -p ").append(redis)
                .append(" ping >/dev/null 2>&1 && break; sleep 0.05; done\n");
        int[] ports = {peer.port(), peer.publishPort()};
        for (int i = 0; i < ports.length; i++) {
            String node = "node-" + (char) ('a' + i);
            Path config = work.resolve("switchboard-cluster-" + node + ".yaml");
            Files.writeString(config, SwitchboardProtocol.config(ports[i], null, placement.serverCores(), true)
                    + "broker: { type: redis, uri: \"" + uri + "\", nodeId: " + node + " }\n");
            script.append("'").append(layout.javaHome().resolve("bin/java")).append("'")
                    .append(' ').append(String.join(" ", serverJvmFlags(placement)))
                    .append(" -Xms1g -Xmx1g -XX:+AlwaysPreTouch")
                    .append(" -Xlog:gc,gc+phases:file='").append(work.resolve(peer.id() + "-" + node + "-" + tag
                            + "-gc.txt")).append("':uptime")
                    .append(" -jar '").append(layout.serverJar()).append("' serve --config '").append(config)
                    .append("' --port ").append(ports[i]).append(" --host 127.0.0.1 &\n");
        }
        return script.append("wait\n").toString();
    }

    static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Peer peer() {
        return peer;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    private List<ProcessHandle> tree() {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        process.descendants().forEach(all::add);
        return all;
    }

    /** CPU time (user + system) of the process and its descendants, in nanoseconds. */
    public long cpuNanos() {
        long ticks = 0;
        for (ProcessHandle h : tree()) {
            try {
                String stat = Files.readString(Path.of("/proc", String.valueOf(h.pid()), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            } catch (IOException | RuntimeException e) {
                // process ended
            }
        }
        return ticks * 10_000_000L; // USER_HZ = 100
    }

    /** Resident set size of the process tree in bytes. */
    public long rssBytes() {
        long kb = 0;
        for (ProcessHandle h : tree()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(h.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // process ended
            }
        }
        return kb * 1024;
    }

    /**
     * JVM only: the live heap in bytes, or -1 — the total of {@code GC.class_histogram}, which collects fully
     * first and counts live objects exactly, whatever the collector (G1's and ZGC's {@code GC.heap_info} "used"
     * figures differ in units and in what they count).
     */
    public long liveHeapBytes() {
        if (!peer.jvm()) {
            return -1;
        }
        Matcher m = HISTOGRAM_TOTAL.matcher(jcmd("GC.class_histogram"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** JVM only: NMT committed total in bytes, or -1 when NMT is off. */
    public long nmtCommittedBytes() {
        if (!peer.jvm()) {
            return -1;
        }
        Matcher m = NMT_TOTAL.matcher(jcmd("VM.native_memory summary"));
        return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
    }

    /** Runs jcmd against the server (not pinned: it only asks the JVM to do the work). */
    public String jcmd(String command) {
        try {
            List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/jcmd").toString(), String.valueOf(pid())));
            cmd.addAll(List.of(command.split(" ")));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public Path log() {
        return log;
    }

    /** The JFR recording of a JVM server (written when it stops). */
    public Path recording() {
        return log.resolveSibling(log.getFileName().toString().replace(".log", ".jfr"));
    }

    /**
     * JVM only: "N GC pauses, max X ms, total Y ms" from the unified GC log, or null. Pauses explain latency
     * tails that CPU figures do not.
     */
    public String gcPauses() {
        Path gc = log.resolveSibling(log.getFileName().toString().replace(".log", "-gc.txt"));
        if (!Files.isRegularFile(gc)) {
            return null;
        }
        Pattern pause = Pattern.compile("Pause .* (\\d+\\.\\d+)ms$");
        int n = 0;
        double max = 0;
        double total = 0;
        try {
            for (String line : Files.readAllLines(gc)) {
                Matcher m = pause.matcher(line);
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    n++;
                    max = Math.max(max, ms);
                    total += ms;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "server GC: %d pauses, max %.1f ms, total %.0f ms", n, max, total);
    }

    public Path javaHome() {
        return javaHome;
    }

    /**
     * A self-signed P-256 certificate for 127.0.0.1 in {@code dir} (cert.pem, key.pem), made with openssl: the TLS
     * runs measure the server's handshake and record cost, and the generator trusts any certificate.
     */
    private static Path selfSigned(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl could not make the TLS runs' certificate: " + output);
        }
        return dir;
    }

    /** Stops the server: SIGTERM to it and its children, then SIGKILL after 5 s. Idempotent. */
    @Override
    public void close() {
        LIVE.remove(this);
        List<ProcessHandle> all = tree();
        for (ProcessHandle h : all) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : all) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
