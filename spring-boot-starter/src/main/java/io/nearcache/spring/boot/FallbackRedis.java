package io.nearcache.spring.boot;

import io.nearcache.NearCacheClient;

/**
 * Where the client goes when no {@code nearcache} Redis address is set. An interface of its own
 * so that the client's configuration names no class of an optional module.
 */
interface FallbackRedis {
  /**
   * Sets the builder's Redis source.
   *
   * @param builder the client's builder, without a Redis source yet
   * @return what the source is, for the log (no password)
   * @throws InvalidNearCacheConfigurationException if there is none, or the builder refuses it
   */
  String applyTo(NearCacheClient.Builder builder);
}
