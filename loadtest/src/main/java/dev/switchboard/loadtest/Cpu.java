package dev.switchboard.loadtest;

import dev.switchboard.loadtest.peer.PeerProcess;
import dev.switchboard.loadtest.scenario.BenchContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU use over an interval, as a fraction of the CPUs each side may use (1.0 = saturated): the generator's
 * own process CPU time (OperatingSystemMXBean) against its available processors; the server process tree's
 * in cores (1.0 = one core busy) — and, from /proc/stat, how much of the CPUs of each side (of the one set
 * of CPUs both share, under {@link Placement#allCores}) other processes took meanwhile. On a shared machine
 * that last number says whether a figure is contended.
 */
public final class Cpu {
    /** Above this share of its CPUs the generator is called saturated and its figures generator-bound. */
    public static final double SATURATED = 0.90;
    /** Above this share of the server's or generator's CPU used by others, a figure is called contended. */
    public static final double CONTENDED = 0.15;
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100

    private final long wall;
    private final long generator;
    private final long server;
    private final PeerProcess process;
    private final Placement placement;
    private final long[] serverCpuTicks;
    private final long[] generatorCpuTicks;

    private Cpu(PeerProcess process, Placement placement) {
        this.process = process;
        this.placement = placement;
        this.wall = System.nanoTime();
        this.generator = generatorCpuNanos();
        this.server = process == null ? 0 : process.cpuNanos();
        this.serverCpuTicks = cpuTicks(placement.serverCpus());
        this.generatorCpuTicks = cpuTicks(placement.generatorCpus());
    }

    public static Cpu sample(PeerProcess process, BenchContext ctx) {
        return new Cpu(process, ctx.placement());
    }

    static long generatorCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** {busy, total} jiffies of the CPUs {@code cpus} together, from /proc/stat, or null. */
    private static long[] cpuTicks(int[] cpus) {
        if (cpus.length == 0) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            long busy = 0;
            long total = 0;
            for (int cpu : cpus) {
                String prefix = "cpu" + cpu + " ";
                String line = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
                if (line == null) {
                    return null;
                }
                String[] f = line.trim().split("\\s+");
                long all = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    all += Long.parseLong(f[i]);
                }
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                busy += all - idle;
                total += all;
            }
            return new long[] {busy, total};
        } catch (IOException | RuntimeException e) {
            return null; // not Linux
        }
    }

    /** Usage between this sample and now. */
    public Usage since() {
        Cpu now = new Cpu(process, placement);
        double wallNanos = Math.max(1, now.wall - wall);
        double gen = (now.generator - generator) / wallNanos / Runtime.getRuntime().availableProcessors();
        double srv = process == null ? Double.NaN : (now.server - server) / wallNanos;
        long serverNanos = process == null ? 0 : now.server - server;
        long generatorNanos = now.generator - generator;
        if (placement.shared()) { // one set of CPUs: others are what neither side took of it
            double others = other(serverCpuTicks, now.serverCpuTicks, serverNanos + generatorNanos);
            return new Usage(gen, srv, others, others);
        }
        double otherOnServer = other(serverCpuTicks, now.serverCpuTicks, serverNanos);
        double otherOnGenerator = other(generatorCpuTicks, now.generatorCpuTicks, generatorNanos);
        return new Usage(gen, srv, otherOnServer, otherOnGenerator);
    }

    private static double other(long[] before, long[] after, long ownNanos) {
        if (before == null || after == null || after[1] <= before[1]) {
            return Double.NaN;
        }
        double busy = (after[0] - before[0]) * (double) NANOS_PER_TICK;
        double total = (after[1] - before[1]) * (double) NANOS_PER_TICK;
        return Math.max(0, Math.min(1, (busy - ownNanos) / total));
    }

    /** Generator and server CPU shares over an interval, and what other processes took of their CPUs. */
    public record Usage(double generator, double server, double otherOnServerCpu, double otherOnGeneratorCpu) {
        public boolean generatorSaturated() {
            return generator >= SATURATED;
        }

        /** Whether other processes took a noticeable share of the server's or the generator's CPU. */
        public boolean contended() {
            return otherOnServerCpu > CONTENDED || otherOnGeneratorCpu > CONTENDED;
        }

        @Override
        public String toString() {
            return String.format("generator CPU %.0f%%, server CPU %.0f%%, others on their CPUs %.0f%%/%.0f%%",
                    generator * 100, server * 100, otherOnGeneratorCpu * 100, otherOnServerCpu * 100);
        }
    }
}
