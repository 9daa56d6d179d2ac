package io.nearcache.spring.boot;

import io.nearcache.NearCacheClient;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * A client's health, read from {@link NearCacheClient#isInContact()}, {@link
 * NearCacheClient#isDegraded()} and {@link NearCacheClient#pendingInvalidations()} (no I/O):
 *
 * <ul>
 *   <li>{@code UP}: in contact and no circuit breaker open;
 *   <li>{@code DOWN}: a circuit breaker is open: Redis is failing, for some keys or all;
 *   <li>{@code OUT_OF_SERVICE}: no breaker open, but the client is not in contact: it may have
 *       missed invalidations (a subscription lost or catching up), so L1 is bypassed.
 * </ul>
 *
 * <p>Details: {@code inContact}, {@code degraded}, {@code pendingInvalidations} (invalidations
 * waiting for Redis; above 0 other instances may serve stale values), {@code keyPrefix} and {@code
 * instanceId}.
 *
 * <p>Either non-UP status means the cache is not doing its work, not that the application cannot
 * serve: reads go to Redis or to the cached methods themselves. Keep the indicator out of a
 * liveness group (Boot's default groups do not include it), or a Redis outage restarts every
 * instance at once.
 */
public final class NearCacheHealthIndicator extends AbstractHealthIndicator {
  private final NearCacheClient client;

  /**
   * Creates one over {@code client}.
   *
   * @param client the client to report on
   * @throws NullPointerException if {@code client} is null
   */
  public NearCacheHealthIndicator(NearCacheClient client) {
    super("nearcache health check failed");
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean inContact = client.isInContact();
    boolean degraded = client.isDegraded();
    Status status = degraded ? Status.DOWN : inContact ? Status.UP : Status.OUT_OF_SERVICE;
    builder.status(status)
        .withDetail("inContact", inContact)
        .withDetail("degraded", degraded)
        .withDetail("pendingInvalidations", client.pendingInvalidations())
        .withDetail("keyPrefix", client.keyPrefix())
        .withDetail("instanceId", client.instanceId());
  }
}
