package dev.switchboard.loadtest.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the server under test spent its CPU: reads the JFR recording's execution samples ({@code jfr print})
 * and counts, per sample on any thread but {@code main} (start-up), the top frame and the innermost
 * {@code dev.switchboard} frame. The report lists
 * the biggest of both so the hot spots are named without anyone opening the recording.
 */
public final class JfrSummary {
    private JfrSummary() {
    }

    /** Lines like {@code 12.3%  io.netty…write (top frame)}; empty if the recording cannot be read. */
    public static List<String> summarise(Path javaHome, Path recording, int top) {
        if (!Files.isRegularFile(recording)) {
            return List.of();
        }
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> ownFrames = new HashMap<>();
        int samples = 0;
        try {
            Process p = new ProcessBuilder(javaHome.resolve("bin/jfr").toString(), "print", "--events",
                    "jdk.ExecutionSample", "--stack-depth", "40", recording.toString()).redirectErrorStream(true).start();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                boolean inStack = false;
                boolean first = false;
                boolean ownSeen = false;
                boolean startup = false;
                while ((line = in.readLine()) != null) {
                    String t = line.trim();
                    if (t.startsWith("sampledThread = ")) {
                        // start-up (config, CLI, class init) runs on main; serving runs on the I/O threads
                        startup = t.startsWith("sampledThread = \"main\"");
                        continue;
                    }
                    if (t.startsWith("stackTrace = [") && startup) {
                        continue;
                    }
                    if (t.startsWith("stackTrace = [")) {
                        inStack = true;
                        first = true;
                        ownSeen = false;
                        samples++;
                        continue;
                    }
                    if (!inStack) {
                        continue;
                    }
                    if (t.startsWith("]") || t.equals("...")) {
                        inStack = false;
                        continue;
                    }
                    String frame = t.replaceAll(" +line: \\d+.*$", "").replaceAll("\\(.*\\)", "");
                    if (first) {
                        topFrames.merge(frame, 1, Integer::sum);
                        first = false;
                    }
                    if (!ownSeen && frame.startsWith("dev.switchboard.")) {
                        ownFrames.merge(frame, 1, Integer::sum);
                        ownSeen = true;
                    }
                }
            }
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        if (samples == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        out.add(samples + " execution samples");
        add(out, topFrames, samples, top, "top frame");
        add(out, ownFrames, samples, top, "innermost Switchboard frame");
        return out;
    }

    private static void add(List<String> out, Map<String, Integer> counts, int samples, int top, String kind) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.add(String.format("%5.1f%%  %s  (%s)", 100.0 * e.getValue() / samples, e.getKey(), kind)));
    }
}
