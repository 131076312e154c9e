package dev.switchboard.loadtest;

/**
 * One measured number for one server: {@code key} identifies the figure across servers (the report's row),
 * {@code higherIsBetter} tells how to read the Switchboard ÷ peer ratio, and {@code generatorBound} marks a
 * figure taken while the generator's own CPU was saturated (so the server may be faster than shown).
 */
public record Figure(String key, String label, String unit, boolean higherIsBetter, double value,
                     boolean generatorBound, String note) {

    public Figure withNote(String extra) {
        return new Figure(key, label, unit, higherIsBetter, value, generatorBound,
                note == null || note.isEmpty() ? extra : note + "; " + extra);
    }
}
