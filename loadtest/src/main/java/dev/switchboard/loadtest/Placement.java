package dev.switchboard.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Where the server under test and the load generator run. {@link #oneCore} pins the server to CPU 0 and the
 * generator to CPU 1, so each has a core of its own and the server's figures are per core. {@link #allCores}
 * gives both every CPU of the machine, as users run a server: the server sizes its event loops to the CPUs it
 * sees, the generator competes with it for them, and every throughput of such a run is a floor.
 *
 * <p>The generator pins itself ({@link #pinGenerator}, {@code taskset -a -p}: every thread of this JVM, and the
 * threads it starts later inherit it), so one run can measure both placements side by side.
 *
 * @param serverCpus CPUs the server may run on, empty when unpinned (no taskset)
 * @param generatorCpus CPUs the generator runs on, empty when unknown
 */
public record Placement(String name, int[] serverCpus, int[] generatorCpus) {

    /** Server on CPU 0, generator on CPU 1 (on a one-CPU machine both on CPU 0). */
    public static Placement oneCore(int cpus) {
        return new Placement("one core", new int[] {0}, new int[] {cpus > 1 ? 1 : 0});
    }

    /** Server and generator on all {@code cpus} CPUs. */
    public static Placement allCores(int cpus) {
        int[] all = IntStream.range(0, cpus).toArray();
        return new Placement("all cores", all, all);
    }

    /** For a server started by a test: nothing pinned, one core's worth of threads. */
    public static Placement unpinned() {
        return new Placement("unpinned", new int[0], new int[0]);
    }

    /** How many CPUs the server may use: its JVM's processor count and its event loops. */
    public int serverCores() {
        return Math.max(1, serverCpus.length);
    }

    /** The generator's event loops: one per CPU it runs on. */
    public int generatorThreads() {
        return Math.max(1, generatorCpus.length);
    }

    /** Whether server and generator share CPUs (then "others on their CPUs" excludes both). */
    public boolean shared() {
        return Arrays.stream(serverCpus).anyMatch(c -> Arrays.stream(generatorCpus).anyMatch(g -> g == c));
    }

    /** Added to every server's label in the report: empty on one core, " (all cores)" on all. */
    public String labelSuffix() {
        return serverCpus.length > 1 ? " (" + name + ")" : "";
    }

    /** Added to the names of a server's raw files (log, GC log, recording): empty on one core. */
    public String fileTag() {
        return serverCpus.length > 1 ? "-" + name.replace(' ', '-') : "";
    }

    /** The server's CPUs as taskset takes them ("0", "0,1"), or null when unpinned. */
    public String serverCpuList() {
        return serverCpus.length == 0 ? null : list(serverCpus);
    }

    /**
     * Moves every thread of this JVM to the generator's CPUs with {@code taskset -a -p}; says so and carries on
     * unpinned where taskset is missing or refuses (the report's CPU accounting then reads "unknown").
     */
    public void pinGenerator() throws InterruptedException {
        if (generatorCpus.length == 0) {
            return;
        }
        List<String> command = List.of("taskset", "-a", "-p", "-c", list(generatorCpus),
                String.valueOf(ProcessHandle.current().pid()));
        try {
            Process taskset = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!taskset.waitFor(10, TimeUnit.SECONDS) || taskset.exitValue() != 0
                    || !Arrays.equals(ownCpus(), generatorCpus)) {
                System.out.println("  (could not pin the generator: " + String.join(" ", command) + " failed)");
            }
        } catch (IOException e) {
            System.out.println("  (could not pin the generator: " + e.getMessage() + ")");
        }
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
                : "server under test on CPU " + serverCpuList() + ", generator on " + generator
                        + " (taskset); server JVM with -XX:ActiveProcessorCount=1 and one event loop";
    }

    /** The CPUs this process may run on now (Cpus_allowed_list: "1", "0-1", "0,2-3"), empty if not known. */
    static int[] ownCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split(","))
                            .flatMapToInt(range -> {
                                String[] ends = range.split("-");
                                int first = Integer.parseInt(ends[0]);
                                return IntStream.rangeClosed(first, ends.length == 1 ? first : Integer.parseInt(ends[1]));
                            }).toArray();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new int[0];
    }

    private static String list(int[] cpus) {
        return Arrays.stream(cpus).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }
}
