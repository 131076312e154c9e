package dev.switchboard.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Runs a server until SIGTERM or SIGINT, then drains it (protocol.md §12) and returns 0, so a supervisor sees a
 * clean exit after a graceful stop. SIGHUP reloads the configuration file ({@link SwitchboardServer#reload()});
 * before the server is up it is ignored instead of ending the process.
 */
final class Runner {
    private Runner() {
    }

    static int runUntilSignalled(SwitchboardConfig config, Consumer<SwitchboardServer> onStarted) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<SwitchboardServer> running = new AtomicReference<>();
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Signal.handle(new Signal("HUP"), signal -> {
            SwitchboardServer server = running.get();
            if (server != null) {
                server.reload();
            }
        });
        SwitchboardServer server;
        try {
            server = SwitchboardServer.start(config);
        } catch (Exception e) {
            System.err.println("switchboard: cannot start on " + config.listener().host() + ":"
                    + config.listener().port() + ": " + e.getMessage());
            return 1;
        }
        running.set(server);
        onStarted.accept(server);
        stop.await();
        server.close();
        return 0;
    }
}
