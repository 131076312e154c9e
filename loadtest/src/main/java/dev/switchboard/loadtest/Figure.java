package dev.switchboard.loadtest;

/**
 * One measured number for one server: {@code key} identifies the figure across servers (the report's row),
 * {@code higherIsBetter} tells how to read the Switchboard ÷ peer ratio, {@code generatorBound} marks a
 * figure taken while the generator's own CPU was saturated (so the server may be faster than shown), and
 * {@code contended} one taken while other processes on the machine took a noticeable share of the server's
 * or the generator's CPU.
 */
public record Figure(String key, String label, String unit, boolean higherIsBetter, double value,
                     boolean generatorBound, boolean contended, String note) {

    public Figure(String key, String label, String unit, boolean higherIsBetter, double value, boolean generatorBound,
                  String note) {
        this(key, label, unit, higherIsBetter, value, generatorBound, false, note);
    }

    /** This figure, marked contended if {@code usage} says so. */
    public Figure during(Cpu.Usage usage) {
        if (usage == null || !usage.contended()) {
            return this;
        }
        String extra = String.format("others used %.0f%% of the server's CPU, %.0f%% of the generator's",
                usage.otherOnServerCpu() * 100, usage.otherOnGeneratorCpu() * 100);
        return new Figure(key, label, unit, higherIsBetter, value, generatorBound, true,
                note == null || note.isEmpty() ? extra : note + "; " + extra);
    }
}
