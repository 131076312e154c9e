package dev.switchboard.server;

import java.time.Duration;

/**
 * What an operator watches the server with (docs/operations.md): Prometheus metrics and the health checks.
 *
 * @param metrics whether {@code GET /metrics} is served (and the domain counts at all)
 * @param metricsToken a bearer token {@code /metrics} asks for, or null for none
 * @param metricsHost the address of a separate listener for {@code /metrics}, {@code /healthz} and
 *                    {@code /readyz}; null to serve them on the main port
 * @param metricsPort that listener's port (0: any free port); ignored without {@code metricsHost}
 * @param maxEventLoopLag how late an event loop may run before {@code /readyz} says 503
 */
public record OpsConfig(boolean metrics, String metricsToken, String metricsHost, int metricsPort,
                        Duration maxEventLoopLag) {

    public static final Duration DEFAULT_MAX_EVENT_LOOP_LAG = Duration.ofSeconds(1);
    public static final OpsConfig DEFAULTS = new OpsConfig(true, null, null, 0, DEFAULT_MAX_EVENT_LOOP_LAG);

    /** Whether the operator endpoints have a listener of their own. */
    public boolean separateListener() {
        return metricsHost != null;
    }
}
