package dev.switchboard.loadtest;

import java.util.ArrayList;
import java.util.List;

/** Points for a chart: {@code chart} names the PNG, {@code name} the line (a server, maybe with a suffix). */
public record Series(String chart, String name, String xLabel, String yLabel, List<double[]> points) {
    public Series(String chart, String name, String xLabel, String yLabel) {
        this(chart, name, xLabel, yLabel, new ArrayList<>());
    }

    public void add(double x, double y) {
        points.add(new double[] {x, y});
    }

    /** The same points under another line name. */
    public Series named(String newName) {
        return new Series(chart, newName, xLabel, yLabel, points);
    }
}
