/**
 * What the domain needs from the outside world, each with an in-memory or JDK implementation:
 * {@link dev.switchboard.core.spi.Transport} (write-only connection), {@link dev.switchboard.core.spi.Clock},
 * {@link dev.switchboard.core.spi.Scheduler}.
 */
package dev.switchboard.core.spi;
