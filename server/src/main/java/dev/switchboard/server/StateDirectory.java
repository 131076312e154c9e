package dev.switchboard.server;

import dev.switchboard.core.Node;
import dev.switchboard.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the server keeps across restarts in {@code server.stateDir}:
 *
 * <ul>
 *   <li>{@code usage.json}: each app's message count in its current accounting period, written every few seconds
 *       when it changed and at shutdown, restored at start (a count of an older period is dropped). A crash loses
 *       at most the last {@link #SAVE_INTERVAL_MILLIS} of counts.
 *   <li>{@code switchboard.pid}: the process id, for {@code switchboard reload} to signal (SIGHUP).
 *   <li>{@code reload.json}: the outcome of the last reload, which {@code switchboard reload} waits for and prints.
 * </ul>
 *
 * Every file is written to a temporary name and moved into place, so a reader never sees half a file.
 */
final class StateDirectory {
    private static final Logger log = LoggerFactory.getLogger(StateDirectory.class);
    static final long SAVE_INTERVAL_MILLIS = 5_000;
    static final String USAGE = "usage.json";
    static final String PID = "switchboard.pid";
    static final String RELOAD = "reload.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private String lastSaved;

    private StateDirectory(Path dir) {
        this.dir = dir;
    }

    /** Creates the folder if needed and checks that it is writable; throws with the reason otherwise. */
    static StateDirectory open(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            throw new IOException(dir + " is not writable");
        }
        return new StateDirectory(dir);
    }

    Path path() {
        return dir;
    }

    /** Restores the persisted counts into {@code node}; an unreadable file is logged and ignored. */
    void restoreUsage(Node node) {
        Path file = dir.resolve(USAGE);
        if (!Files.exists(file)) {
            return;
        }
        try {
            JsonNode apps = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8)).path("apps");
            for (var entry : apps.properties()) {
                JsonNode app = entry.getValue();
                node.restoreMessagesUsed(entry.getKey(), app.path("periodStartUnix").asLong() * 1000,
                        app.path("messagesUsed").asLong());
            }
        } catch (IOException | JacksonException e) {
            log.atWarn().setMessage("state_unreadable").addKeyValue("file", file).addKeyValue("reason", e.getMessage())
                    .addKeyValue("effect", "message counts start at 0").log();
        }
    }

    /** Writes the current counts if they changed since the last save. */
    synchronized void saveUsage(Node node) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode apps = root.putObject("apps");
        List<Usage> usages = node.usages();
        for (Usage usage : usages) {
            apps.putObject(usage.appId())
                    .put("periodStartUnix", usage.periodStartMillis() / 1000)
                    .put("messagesUsed", usage.messagesUsed());
        }
        String text = root.toString();
        if (text.equals(lastSaved)) {
            return;
        }
        try {
            write(USAGE, text);
            lastSaved = text;
        } catch (IOException e) {
            writeFailed(dir.resolve(USAGE), e);
        }
    }

    void writePid() throws IOException {
        write(PID, ProcessHandle.current().pid() + "\n");
    }

    void removePid() {
        try {
            Files.deleteIfExists(dir.resolve(PID));
        } catch (IOException e) {
            writeFailed(dir.resolve(PID), e);
        }
    }

    /** Records a reload's outcome for {@code switchboard reload}. */
    void writeReload(boolean ok, String message) {
        ObjectNode root = JSON.createObjectNode()
                .put("atMillis", System.currentTimeMillis())
                .put("ok", ok)
                .put("message", message);
        try {
            write(RELOAD, root.toString());
        } catch (IOException e) {
            writeFailed(dir.resolve(RELOAD), e);
        }
    }

    private static void writeFailed(Path file, IOException e) {
        log.atWarn().setMessage("state_write_failed").addKeyValue("file", file).addKeyValue("reason", e.getMessage()).log();
    }

    private void write(String name, String text) throws IOException {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
