package io.nearcache.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.nearcache.NearCacheClient;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds one {@link NearCacheClient}'s health gauges, read from the client when the registry asks:
 * each read is a volatile read or a queue's size, no I/O.
 *
 * <pre>{@code
 * NearCacheClientMetrics.monitor(registry, client);
 * }</pre>
 *
 * <p>Every meter is tagged {@code prefix=<keyPrefix>}, {@code client=<instanceId>} (these win
 * over user tags of the same keys) and the user's tags.
 *
 * <table>
 *   <caption>Meters bound per client</caption>
 *   <tr><th>Name</th><th>Type</th><th>Value</th></tr>
 *   <tr><td>{@code nearcache.client.invalidations.pending}</td><td>gauge</td>
 *       <td>{@link NearCacheMeter#CLIENT_PENDING_INVALIDATIONS}</td></tr>
 *   <tr><td>{@code nearcache.client.contact}</td><td>gauge, 1 or 0</td>
 *       <td>{@link NearCacheMeter#CLIENT_CONTACT}</td></tr>
 *   <tr><td>{@code nearcache.client.degraded}</td><td>gauge, 1 or 0</td>
 *       <td>{@link NearCacheMeter#CLIENT_DEGRADED}</td></tr>
 *   <tr><td>{@code nearcache.client.probe.lag}</td><td>timer</td>
 *       <td>{@link NearCacheMeter#CLIENT_PROBE_LAG}</td></tr>
 * </table>
 *
 * <p>For alerts: {@code contact} at 0 for longer than a repair takes (seconds) or {@code pending}
 * above 0 means other instances may serve stale values or this one bypasses L1. A closed client
 * reads as out of contact.
 *
 * <p><b>References.</b> The binder and its gauges hold the client weakly: they never keep a closed
 * client alive; once it is collected the gauges read {@code NaN} until they are removed from the
 * registry. A Prometheus server scraping these meters renames the {@code instance} tag to {@code
 * exported_instance}, as it does with every scraped label that clashes with a target label,
 * unless its job has {@code honor_labels: true}. Binding two clients with the same prefix and
 * instance id to one registry binds only the first.
 */
public final class NearCacheClientMetrics implements MeterBinder {
  private final WeakReference<NearCacheClient> client;
  private final Tags tags;

  /**
   * Creates a binder for {@code client}; {@link #bindTo} registers its gauges.
   *
   * @param client the client; held weakly
   * @param tags tags added to every meter, besides {@code prefix} and {@code instance}
   * @throws NullPointerException if {@code client} or {@code tags} is null
   */
  public NearCacheClientMetrics(NearCacheClient client, Iterable<Tag> tags) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(tags, "tags");
    this.client = new WeakReference<>(client);
    this.tags = Tags.concat(tags, NearCacheMeter.TAG_PREFIX, client.keyPrefix(),
        NearCacheMeter.TAG_CLIENT, client.instanceId());
  }

  /**
   * Binds {@code client}'s gauges to {@code registry}.
   *
   * @param registry where the meters go
   * @param client the client; held weakly
   * @param tags key/value pairs added to every meter, besides {@code prefix} and {@code client}
   * @return {@code client}, unchanged
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if {@code tags} has an odd number of elements
   */
  public static NearCacheClient monitor(MeterRegistry registry, NearCacheClient client,
      String... tags) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(tags, "tags");
    new NearCacheClientMetrics(client, Tags.of(tags)).bindTo(registry);
    return client;
  }

  /**
   * Registers the gauges and the probe lag timer, which the client feeds from then on (bind a
   * client once per registry: a second binding would record each lag twice); does nothing if the
   * client was already collected.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    NearCacheClient target = client.get();
    if (target == null) {
      return;
    }
    // Each function takes the client as its argument and captures nothing: the gauge's weak
    // reference stays the only one.
    gauge(registry, NearCacheMeter.CLIENT_PENDING_INVALIDATIONS, target,
        NearCacheClient::pendingInvalidations);
    gauge(registry, NearCacheMeter.CLIENT_CONTACT, target, c -> c.isInContact() ? 1 : 0);
    gauge(registry, NearCacheMeter.CLIENT_DEGRADED, target, c -> c.isDegraded() ? 1 : 0);
    Timer lag = Timer.builder(NearCacheMeter.CLIENT_PROBE_LAG.meterName())
        .tags(tags)
        .description(NearCacheMeter.CLIENT_PROBE_LAG.description())
        .register(registry);
    target.onProbeLag(lag::record); // the client holds the timer, never the reverse
  }

  private void gauge(MeterRegistry registry, NearCacheMeter meter, NearCacheClient target,
      ToDoubleFunction<NearCacheClient> value) {
    Gauge.builder(meter.meterName(), target, value)
        .tags(tags)
        .description(meter.description())
        .register(registry);
  }
}
