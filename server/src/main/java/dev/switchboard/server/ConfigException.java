package dev.switchboard.server;

/** A configuration that cannot be served, with the file, the field and the reason, e.g. {@code apps[0].keys[1].secret}. */
public final class ConfigException extends Exception {
    private final String source;
    private final String field;
    private final String reason;

    public ConfigException(String source, String field, String reason) {
        super(source + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
        this.source = source;
        this.field = field;
        this.reason = reason;
    }

    public String source() {
        return source;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
