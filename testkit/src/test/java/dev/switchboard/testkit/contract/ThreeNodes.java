package dev.switchboard.testkit.contract;

import dev.switchboard.core.spi.Cluster;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every contract test starts from: three nodes {@link #a}, {@link #b}, {@link #c} of one engine, each
 * recording what it receives, and an app of its own (engines outlive a test, so apps keep tests apart).
 */
abstract class ThreeNodes {
    private static final AtomicInteger APPS = new AtomicInteger();
    /** How long a test waits for an engine's answer. */
    static final long WAIT_SECONDS = 10;

    /** A fresh engine of the implementation under test. */
    protected abstract Engine engine();

    final String app = "contract-app-" + APPS.incrementAndGet();
    final Recorder inA = new Recorder();
    final Recorder inB = new Recorder();
    final Recorder inC = new Recorder();
    Cluster a;
    Cluster b;
    Cluster c;
    private Engine engine;

    @BeforeEach
    void nodes() {
        engine = engine();
        a = engine.join(inA);
        b = engine.join(inB);
        c = engine.join(inC);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    /** The engine's answer, within {@link #WAIT_SECONDS}. */
    static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    }
}
