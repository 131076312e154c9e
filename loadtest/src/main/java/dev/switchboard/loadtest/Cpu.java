package dev.switchboard.loadtest;

import dev.switchboard.loadtest.peer.PeerProcess;
import java.lang.management.ManagementFactory;

/**
 * CPU use over an interval, as a fraction of the CPUs each side may use (1.0 = saturated): the generator's
 * own process CPU time (OperatingSystemMXBean) against its available processors, and the server process
 * tree's against one CPU (it is pinned to one).
 */
public final class Cpu {
    /** Above this share of its CPUs the generator is called saturated and its figures generator-bound. */
    public static final double SATURATED = 0.90;

    private final long wall;
    private final long generator;
    private final long server;
    private final PeerProcess process;

    private Cpu(PeerProcess process) {
        this.process = process;
        this.wall = System.nanoTime();
        this.generator = generatorCpuNanos();
        this.server = process == null ? 0 : process.cpuNanos();
    }

    public static Cpu sample(PeerProcess process) {
        return new Cpu(process);
    }

    static long generatorCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Usage between this sample and now. */
    public Usage since() {
        Cpu now = new Cpu(process);
        double wallNanos = Math.max(1, now.wall - wall);
        double gen = (now.generator - generator) / wallNanos / Runtime.getRuntime().availableProcessors();
        double srv = process == null ? Double.NaN : (now.server - server) / wallNanos;
        return new Usage(gen, srv);
    }

    /** Generator and server CPU shares over an interval. */
    public record Usage(double generator, double server) {
        public boolean generatorSaturated() {
            return generator >= SATURATED;
        }

        @Override
        public String toString() {
            return String.format("generator CPU %.0f%%, server CPU %.0f%%", generator * 100, server * 100);
        }
    }
}
