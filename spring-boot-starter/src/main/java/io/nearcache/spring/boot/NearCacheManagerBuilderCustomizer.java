package io.nearcache.spring.boot;

import io.nearcache.spring.NearCacheCacheManager;

/**
 * Changes the auto-configured {@link NearCacheCacheManager.Builder} after the {@code nearcache.*}
 * properties were applied and before the manager is built: a serializer per cache (Kryo, say),
 * a decorator, an executor. Beans of this type are applied in their {@code @Order}.
 *
 * <p>Options the properties already set (the specs of listed caches, the default spec, the
 * default serializer, null handling, whether missing caches are created) cannot be set again:
 * the builder refuses a second set with an {@link IllegalStateException}, which fails the start.
 */
@FunctionalInterface
public interface NearCacheManagerBuilderCustomizer {
  /**
   * Customizes the builder.
   *
   * @param builder the manager's builder, the properties applied
   */
  void customize(NearCacheCacheManager.Builder builder);
}
