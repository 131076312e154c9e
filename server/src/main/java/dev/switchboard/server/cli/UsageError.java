package dev.switchboard.server.cli;

/** A command-line value that cannot be used, with what to fix; the command exits 2. */
final class UsageError extends RuntimeException {
    UsageError(String message) {
        super(message, null, false, false);
    }
}
