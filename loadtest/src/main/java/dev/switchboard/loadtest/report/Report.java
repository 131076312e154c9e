package dev.switchboard.loadtest.report;

import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Series;
import dev.switchboard.loadtest.scenario.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results: report.md (one row per figure, one column per server, each peer's cell with the
 * ratio Switchboard ÷ peer; the targets of issue 4 checked; generator-bound figures marked †), report.json
 * (everything, including chart points and notes) and the PNG charts.
 */
public final class Report {
    public static final String SWITCHBOARD = "Switchboard";

    private final List<Outcome> outcomes;
    private final List<String> servers;
    private final Map<String, String> skipped;
    private final Map<String, String> meta;

    /**
     * @param servers labels in column order (Switchboard first)
     * @param skipped label → why that server was not measured
     * @param meta    run facts for the header (date, mode, machine, flags)
     */
    public Report(List<Outcome> outcomes, List<String> servers, Map<String, String> skipped, Map<String, String> meta) {
        this.outcomes = outcomes;
        this.servers = servers;
        this.skipped = skipped;
        this.meta = meta;
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> charts = Charts.write(dir, allSeries());
        Files.writeString(dir.resolve("report.md"), markdown(charts));
        Files.writeString(dir.resolve("report.json"), Json.write(json()));
    }

    private List<Series> allSeries() {
        List<Series> all = new ArrayList<>();
        for (Outcome o : outcomes) {
            all.addAll(o.series);
        }
        return all;
    }

    /** figure key → server label → figure. */
    private Map<String, Map<String, Figure>> table() {
        Map<String, Map<String, Figure>> rows = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            for (Figure f : o.figures) {
                rows.computeIfAbsent(f.key(), k -> new LinkedHashMap<>()).put(o.peer, f);
            }
        }
        return rows;
    }

    /**
     * The Switchboard column a server is compared with: the one of the same placement, so a peer on all cores
     * is set against Switchboard on all cores ({@code "NATS-WS 2.9 (all cores)"} → {@code "Switchboard (all cores)"}).
     */
    static String baselineOf(String server) {
        int suffix = server.lastIndexOf(" (");
        return suffix > 0 && server.endsWith(" cores)") ? SWITCHBOARD + server.substring(suffix) : SWITCHBOARD;
    }

    private String markdown(List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# Switchboard vs peers — load test report\n\n");
        for (Map.Entry<String, String> e : meta.entrySet()) {
            md.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append('\n');
        }
        md.append("\nEach peer cell shows the peer's figure and, in parentheses, the ratio **Switchboard ÷ peer**, "
                + "against Switchboard in the same placement (columns marked \"(all cores)\" against Switchboard (all "
                + "cores)). "
                + "For throughput (msg/s, /s) a ratio above 1 means Switchboard is ahead; for latency and memory "
                + "(ms, KiB) below 1 does. † = generator-bound (the generator's own CPU was ≥ 90% busy, so the "
                + "server may be faster than shown). ‡ = contended (other processes on this shared machine took more than "
                + "15% of the server's or the generator's CPU during the measurement; see the figure notes). "
                + "— = not measured (see notes).\n\n");

        Map<String, Map<String, Figure>> rows = table();
        md.append("| figure | unit |");
        for (String s : servers) {
            md.append(' ').append(s).append(" |");
        }
        md.append("\n|---|---|");
        md.append("---:|".repeat(servers.size()));
        md.append('\n');
        for (Map.Entry<String, Map<String, Figure>> row : rows.entrySet()) {
            Figure any = row.getValue().values().iterator().next();
            md.append("| ").append(any.label()).append(" | ").append(any.unit()).append(" |");
            for (String s : servers) {
                Figure mine = row.getValue().get(baselineOf(s));
                Figure f = row.getValue().get(s);
                md.append(' ');
                if (f == null || Double.isNaN(f.value())) {
                    md.append('—');
                } else {
                    md.append(format(f.value()));
                    if (f.generatorBound()) {
                        md.append('†');
                    }
                    if (f.contended()) {
                        md.append('‡');
                    }
                    if (!s.equals(baselineOf(s)) && mine != null && !Double.isNaN(mine.value()) && f.value() != 0) {
                        md.append(" (").append(String.format(Locale.ROOT, "%.2f×", mine.value() / f.value())).append(')');
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }

        md.append("\n## Targets (issue 4)\n\n");
        md.append("| target | measured | met? |\n|---|---|---|\n");
        for (String[] t : targets(rows)) {
            md.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" |\n");
        }

        if (!charts.isEmpty()) {
            md.append("\n## Charts\n\n");
            for (String c : charts) {
                md.append("![").append(c).append("](").append(c).append(")\n\n");
            }
        }

        md.append("## Servers not measured\n\n");
        if (skipped.isEmpty()) {
            md.append("None: every requested server was installed and started.\n");
        }
        for (Map.Entry<String, String> e : skipped.entrySet()) {
            md.append("- **").append(e.getKey()).append("**: ").append(e.getValue()).append('\n');
        }

        md.append("\n## Figure notes\n\n");
        for (Map.Entry<String, Map<String, Figure>> row : rows.entrySet()) {
            for (Map.Entry<String, Figure> cell : row.getValue().entrySet()) {
                Figure f = cell.getValue();
                if (f.note() != null && !f.note().isEmpty()) {
                    md.append("- ").append(f.label()).append(" — ").append(cell.getKey()).append(": ")
                            .append(f.note()).append('\n');
                }
            }
        }
        boolean anyHot = outcomes.stream().anyMatch(o -> !o.hotSpots.isEmpty());
        if (anyHot) {
            md.append("\n## Switchboard hot spots (JFR execution samples, per scenario)\n\n");
            md.append("Share of the server's execution samples whose top frame, or innermost Switchboard frame, "
                    + "is the method named — where to look first when tuning.\n");
            for (Outcome o : outcomes) {
                if (o.hotSpots.isEmpty()) {
                    continue;
                }
                md.append("\n### ").append(o.scenario).append("\n\n```\n");
                o.hotSpots.forEach(h -> md.append(h).append('\n'));
                md.append("```\n");
            }
        }
        md.append("\n## Run notes\n\n");
        for (Outcome o : outcomes) {
            if (o.error != null) {
                md.append("- **").append(o.peer).append(" / ").append(o.scenario).append("**: FAILED: ")
                        .append(o.error).append('\n');
            }
            for (String n : o.notes) {
                md.append("- ").append(o.peer).append(" / ").append(o.scenario).append(": ").append(n).append('\n');
            }
        }
        return md.toString();
    }

    private List<String[]> targets(Map<String, Map<String, Figure>> rows) {
        List<String[]> out = new ArrayList<>();
        ratioTarget(out, rows, "fanout.1000.ceiling", "Centrifuge", 1.0, "fan-out ceiling (1,000 subs) ≥ 1.0× Centrifuge");
        ratioTarget(out, rows, "fanout.1000.ceiling", "NATS", 1.0, "fan-out ceiling (1,000 subs) ≥ 1.0× NATS-WS");
        ratioTarget(out, rows, "fanout.1000.ceiling", "Socket.IO", 3.0, "fan-out ceiling (1,000 subs) ≥ 3× Socket.IO");
        ratioTarget(out, rows, "fanout.1000.per_core", "Centrifuge", 1.0,
                "same, per server CPU-second (robust to CPU contention) ≥ 1.0× Centrifuge");
        ratioTarget(out, rows, "fanout.1000.per_core", "NATS", 1.0, "same, per server CPU-second ≥ 1.0× NATS-WS");
        ratioTarget(out, rows, "fanout.1000.per_core", "Socket.IO", 3.0, "same, per server CPU-second ≥ 3× Socket.IO");
        ratioTarget(out, rows, "fanout.1000.per_core_at_ref", "NATS", 1.0,
                "same, per server CPU-second at equal load (≈ 1.15M deliveries/s offered) ≥ 1.0× NATS-WS");
        Figure p99 = cell(rows, "fanout.1000.half.p99", SWITCHBOARD);
        out.add(new String[] {"p99 publish→deliver ≤ 5 ms at ½ of Switchboard's ceiling (1,000 subs)",
                p99 == null ? "—" : format(p99.value()) + " ms" + (p99.generatorBound() ? " †" : "")
                        + (p99.contended() ? " ‡" : "") + (p99.note() == null ? "" : " (" + p99.note() + ")"),
                p99 == null ? "not measured" : p99.value() <= 5 ? "yes" : "**no**"});
        Figure heap = null;
        int heapLevel = 0;
        for (String key : rows.keySet()) {
            if (key.startsWith("idle.") && key.endsWith(".heap")) {
                int level = Integer.parseInt(key.split("\\.")[1]);
                Figure f = cell(rows, key, SWITCHBOARD);
                if (f != null && level > heapLevel) {
                    heap = f;
                    heapLevel = level;
                }
            }
        }
        out.add(new String[] {"≤ 4 KiB live heap per idle subscribed connection at 100k",
                heap == null ? "—" : format(heap.value()) + " KiB at " + String.format(Locale.ROOT, "%,d", heapLevel)
                        + (heapLevel == 100_000 ? "" : " (100k not measured)"),
                heap == null ? "not measured" : heap.value() <= 4 ? "yes" : "**no**"});
        ratioTarget(out, rows, "storm.rate", "Centrifuge", 2.0, "connect storm ≥ 2× Centrifuge's handshakes/s");
        ratioTarget(out, rows, "storm.per_core", "Centrifuge", 2.0, "same, per server CPU-second ≥ 2× Centrifuge");
        Figure churn = cell(rows, "churn.at50", SWITCHBOARD);
        out.add(new String[] {"presence churn, 1,000-member room, 50 joins+leaves/s without backlog",
                churn == null ? "—" : format(churn.value()) + "% of events delivered",
                churn == null ? "not measured" : churn.value() >= 99 ? "yes" : "**no**"});
        return out;
    }

    private static Figure cell(Map<String, Map<String, Figure>> rows, String key, String server) {
        Map<String, Figure> row = rows.get(key);
        if (row == null) {
            return null;
        }
        Figure f = row.get(server);
        return f == null || Double.isNaN(f.value()) ? null : f;
    }

    private void ratioTarget(List<String[]> out, Map<String, Map<String, Figure>> rows, String key, String peerPrefix,
                             double wanted, String label) {
        Figure mine = cell(rows, key, SWITCHBOARD);
        String peer = servers.stream().filter(s -> s.startsWith(peerPrefix)).findFirst().orElse(null);
        Figure theirs = peer == null ? null : cell(rows, key, peer);
        if (mine == null || theirs == null || theirs.value() == 0) {
            out.add(new String[] {label, "—", "not measured"});
            return;
        }
        double ratio = mine.value() / theirs.value();
        boolean gb = mine.generatorBound() || theirs.generatorBound();
        boolean contended = mine.contended() || theirs.contended();
        out.add(new String[] {label, String.format(Locale.ROOT, "%.2f× (%s vs %s)%s", ratio, format(mine.value()),
                format(theirs.value()), (gb ? " †" : "") + (contended ? " ‡" : "")),
                ratio >= wanted ? "yes" : "**no**" + (gb ? " (generator-bound)" : "")});
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("meta", meta);
        root.put("servers", servers);
        root.put("notMeasured", skipped);
        List<Object> results = new ArrayList<>();
        for (Outcome o : outcomes) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("scenario", o.scenario);
            r.put("server", o.peer);
            if (o.error != null) {
                r.put("error", o.error);
            }
            List<Object> figures = new ArrayList<>();
            for (Figure f : o.figures) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", f.key());
                m.put("label", f.label());
                m.put("unit", f.unit());
                m.put("value", f.value());
                m.put("higherIsBetter", f.higherIsBetter());
                m.put("generatorBound", f.generatorBound());
                m.put("contended", f.contended());
                if (f.note() != null) {
                    m.put("note", f.note());
                }
                figures.add(m);
            }
            r.put("figures", figures);
            List<Object> series = new ArrayList<>();
            for (Series s : o.series) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("chart", s.chart());
                m.put("name", s.name());
                m.put("x", s.xLabel());
                m.put("y", s.yLabel());
                m.put("points", s.points());
                series.add(m);
            }
            r.put("series", series);
            r.put("notes", o.notes);
            if (!o.hotSpots.isEmpty()) {
                r.put("hotSpots", o.hotSpots);
            }
            results.add(r);
        }
        root.put("results", results);
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Figure>> row : table().entrySet()) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (Map.Entry<String, Figure> cell : row.getValue().entrySet()) {
                Figure mine = row.getValue().get(baselineOf(cell.getKey()));
                if (mine != null && !cell.getKey().equals(baselineOf(cell.getKey())) && cell.getValue().value() != 0) {
                    r.put(cell.getKey(), mine.value() / cell.getValue().value());
                }
            }
            if (!r.isEmpty()) {
                ratios.put(row.getKey(), r);
            }
        }
        root.put("ratiosSwitchboardOverPeer", ratios);
        return root;
    }
}
