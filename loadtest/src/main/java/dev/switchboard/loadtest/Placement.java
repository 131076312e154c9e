package dev.switchboard.loadtest;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where the server under test and the load generator run. {@link #oneCore} pins the server to CPU 0 and the
 * generator to CPU 1, so each has a core of its own and the server's figures are per core. {@link #allCores}
 * gives both every CPU of the machine, as users run a server: the server sizes its event loops to the CPUs it
 * sees, the generator competes with it for them, and every figure of such a run is contended by construction.
 *
 * @param serverCpus CPUs the server may run on, empty when unpinned (no taskset, no second CPU)
 * @param generatorCpus CPUs the generator runs on, empty when unknown
 */
public record Placement(int[] serverCpus, int[] generatorCpus) {

    /** Server on CPU 0; the generator on {@code generatorCpus}, where the launcher pinned it (CPU 1). */
    public static Placement oneCore(int[] generatorCpus) {
        return new Placement(new int[] {0}, generatorCpus);
    }

    /** Server and generator on all {@code cpus} CPUs. */
    public static Placement allCores(int cpus) {
        int[] all = java.util.stream.IntStream.range(0, cpus).toArray();
        return new Placement(all, all);
    }

    /** For a server started by a test: nothing pinned, one core's worth of threads. */
    public static Placement unpinned() {
        return new Placement(new int[0], new int[0]);
    }

    /** How many CPUs the server may use: its JVM's processor count and its event loops. */
    public int serverCores() {
        return Math.max(1, serverCpus.length);
    }

    /** Whether server and generator share CPUs (then "others on their CPUs" excludes both). */
    public boolean shared() {
        return Arrays.stream(serverCpus).anyMatch(c -> Arrays.stream(generatorCpus).anyMatch(g -> g == c));
    }

    /** The server's CPUs as taskset takes them ("0", "0,1"), or null when unpinned. */
    public String serverCpuList() {
        return serverCpus.length == 0 ? null : list(serverCpus);
    }

    /** One line for the report. */
    public String describe() {
        if (serverCpus.length == 0) {
            return "server and generator unpinned";
        }
        String generator = generatorCpus.length == 0 ? "unknown CPUs" : "CPU " + list(generatorCpus);
        return shared()
                ? "server under test on CPU " + list(serverCpus) + " and generator on " + generator
                        + " share CPUs (contended by design); the server's JVM and event loops sized to "
                        + serverCores() + " CPU(s)"
                : "server under test on CPU " + serverCpuList() + " (taskset), generator on " + generator
                        + " (taskset by ./switchboard bench); JVMs with -XX:ActiveProcessorCount=1";
    }

    private static String list(int[] cpus) {
        return Arrays.stream(cpus).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }
}
