package io.nearcache.spring.boot;

import io.nearcache.CacheSpec;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import io.nearcache.spring.NearCacheCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The {@code cacheManager} bean, a {@link NearCacheCacheManager} over the client, unless the
 * application defines a {@link CacheManager} of its own.
 *
 * <p>Serializers: a cache listed with {@code nearcache.caches.<name>.value-type} stores its values
 * as JSON of that class (nearcache-serializers' {@code JacksonJsonSerializer}); every other cache
 * uses the application's {@link Serializer} bean, if it has exactly one. Without such a bean,
 * only the listed caches exist (a name not listed is not created on demand), and each of them
 * needs a value type or a serializer given by a {@link NearCacheManagerBuilderCustomizer}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(CacheManager.class)
class NearCacheCacheManagerConfiguration {
  private static final Logger log =
      LoggerFactory.getLogger(NearCacheCacheManagerConfiguration.class);
  private static final String JSON_SERIALIZER =
      "io.nearcache.serializers.JacksonJsonSerializer";

  @Bean(destroyMethod = "close")
  NearCacheCacheManager cacheManager(NearCacheClient client, NearCacheProperties properties,
      ObjectProvider<Serializer<?>> serializers,
      ObjectProvider<NearCacheManagerBuilderCustomizer> builderCustomizers,
      ObjectProvider<CacheManagerCustomizer<?>> customizers) {
    NearCacheCacheManager.Builder builder = NearCacheCacheManager.builder(client);
    CacheSpec defaultSpec = properties.defaultSpec() == null ? CacheSpec.defaults()
        : parse("nearcache.default-spec", properties.defaultSpec());
    builder.defaultSpec(defaultSpec);
    properties.caches().forEach((name, cache) -> {
      String property = "nearcache.caches." + name;
      CacheSpec spec = cache.spec() == null ? defaultSpec : parse(property + ".spec", cache.spec());
      NearCacheClientConfiguration.option(property, () -> builder.cache(name, spec));
      if (cache.valueType() != null) {
        builder.serializer(name, json(property + ".value-type", cache.valueType()));
      }
    });
    Serializer<?> defaultSerializer = serializers.getIfUnique();
    if (defaultSerializer != null) {
      builder.defaultSerializer(defaultSerializer);
    }
    Boolean createMissing = properties.createMissingCaches();
    if (createMissing == null && defaultSerializer == null) {
      log.info("nearcache: no Serializer bean, so only the caches of nearcache.caches exist: {}",
          properties.caches().keySet());
      createMissing = false;
    }
    if (createMissing != null) {
      builder.createMissingCaches(createMissing);
    }
    builder.allowNullValues(properties.allowNullValues());
    builderCustomizers.orderedStream().forEach(c -> c.customize(builder));
    NearCacheCacheManager manager;
    try {
      manager = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidNearCacheConfigurationException("nearcache could not build its cache"
          + " manager: " + e.getMessage(),
          "A cache without a serializer needs nearcache.caches.<name>.value-type (JSON, with"
              + " nearcache-serializers), one Serializer bean for all caches, or a serializer"
              + " set by a NearCacheManagerBuilderCustomizer. Cache names are"
              + " [A-Za-z0-9_.-]{1,64}.", e);
    }
    return new CacheManagerCustomizers(customizers.orderedStream().toList()).customize(manager);
  }

  private static CacheSpec parse(String property, String spec) {
    try {
      return CacheSpec.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new InvalidNearCacheConfigurationException(property + ": " + e.getMessage(),
          "Correct " + property + "; a spec is options such as localTtl=60s,remoteTtl=5m (see"
              + " CacheSpec: localMaxSize, localMaxBytes, localTtl, remoteTtl, maxValueBytes,"
              + " recordStats, nullTtl, leaseTimeout).", e);
    }
  }

  private static Serializer<?> json(String property, Class<?> type) {
    if (!ClassUtils.isPresent(JSON_SERIALIZER, NearCacheCacheManagerConfiguration.class
        .getClassLoader())) {
      throw new InvalidNearCacheConfigurationException(property + " is set, and JSON needs "
          + JSON_SERIALIZER + ", which is not on the classpath.",
          "Add io.nearcache:nearcache-serializers to the application's dependencies.");
    }
    return JsonSerializers.of(type);
  }
}
