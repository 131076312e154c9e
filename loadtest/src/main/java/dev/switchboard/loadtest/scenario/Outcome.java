package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Series;
import java.util.ArrayList;
import java.util.List;

/** What one scenario produced for one server: figures, chart points and notes. */
public final class Outcome {
    public final String scenario;
    public final String peer;
    public final List<Figure> figures = new ArrayList<>();
    public final List<Series> series = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    /** Hot spots of the server during this scenario (JVM servers only), from JFR execution samples. */
    public final List<String> hotSpots = new ArrayList<>();
    public String error;

    public Outcome(String scenario, String peer) {
        this.scenario = scenario;
        this.peer = peer;
    }

    public void figure(Figure f) {
        figures.add(f);
    }

    public void note(String note) {
        notes.add(note);
    }
}
