package dev.switchboard.loadtest.report;

import dev.switchboard.loadtest.Series;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** One PNG per chart name (XChart, headless): a line per series, log axes where rates span decades. */
final class Charts {
    private Charts() {
    }

    /** Writes the charts into {@code dir}; returns the file names written. */
    static List<String> write(Path dir, List<Series> all) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<Series>> byChart = new LinkedHashMap<>();
        for (Series s : all) {
            if (!s.points().isEmpty()) {
                byChart.computeIfAbsent(s.chart(), k -> new ArrayList<>()).add(s);
            }
        }
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, List<Series>> e : byChart.entrySet()) {
            String name = e.getKey();
            Series first = e.getValue().get(0);
            XYChart chart = new XYChartBuilder().width(900).height(560).title(title(name))
                    .xAxisTitle(first.xLabel()).yAxisTitle(first.yLabel()).build();
            // linear axes (readable labels), except latency, whose saturated steps are orders of magnitude up
            boolean logY = name.endsWith("-latency");
            boolean logX = false;
            chart.getStyler().setYAxisLogarithmic(logY);
            chart.getStyler().setXAxisDecimalPattern("#,###");
            if (!logY) {
                chart.getStyler().setYAxisDecimalPattern("#,###.#");
            }
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
            chart.getStyler().setMarkerSize(6);
            int lines = 0;
            for (Series s : e.getValue()) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (double[] p : s.points()) {
                    if (Double.isNaN(p[1]) || (logX && p[0] <= 0) || (logY && p[1] <= 0)) {
                        continue;
                    }
                    xs.add(p[0]);
                    ys.add(p[1]);
                }
                if (xs.isEmpty()) {
                    continue;
                }
                XYSeries line = chart.addSeries(s.name(), xs, ys);
                line.setMarker(SeriesMarkers.CIRCLE);
                lines++;
            }
            if (lines == 0) {
                continue;
            }
            String file = name + ".png";
            BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(file);
        }
        return files;
    }

    private static String title(String name) {
        if (name.endsWith("-throughput")) {
            return "Fan-out " + name.split("-")[1] + " subscribers: delivered vs offered";
        }
        if (name.endsWith("-latency")) {
            return "Fan-out " + name.split("-")[1] + " subscribers: publish→receive latency vs offered rate";
        }
        if (name.endsWith("-cost")) {
            return "Fan-out " + name.split("-")[1] + " subscribers: server CPU per delivery vs offered rate";
        }
        if (name.equals("idle-memory")) {
            return "Memory per idle subscribed connection";
        }
        if (name.equals("churn")) {
            return "Presence churn: events delivered vs joins+leaves offered";
        }
        return name;
    }
}
