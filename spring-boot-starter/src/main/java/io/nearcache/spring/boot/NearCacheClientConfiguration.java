package io.nearcache.spring.boot;

import io.nearcache.NearCacheClient;
import io.nearcache.RedisTls;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link NearCacheClient}, made from {@link NearCacheProperties} and closed with the context;
 * an application's own {@code NearCacheClient} bean replaces it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(NearCacheClient.class)
class NearCacheClientConfiguration {
  private static final Logger log = LoggerFactory.getLogger(NearCacheClientConfiguration.class);

  @Bean(destroyMethod = "close")
  NearCacheClient nearCacheClient(NearCacheProperties properties,
      ObjectProvider<FallbackRedis> fallback) {
    String prefix = properties.keyPrefix();
    if (prefix == null || prefix.isBlank()) {
      throw new InvalidNearCacheConfigurationException("nearcache.key-prefix is not set.",
          "Set nearcache.key-prefix to the name every instance of this application shares"
              + " (it prefixes each Redis key and channel), e.g. nearcache.key-prefix=shop.");
    }
    NearCacheClient.Builder builder = NearCacheClient.builder();
    option("nearcache.key-prefix", () -> builder.keyPrefix(prefix));
    if (properties.instanceId() != null) {
      option("nearcache.instance-id", () -> builder.instanceId(properties.instanceId()));
    }
    if (properties.redisTimeout() != null) {
      option("nearcache.redis-timeout", () -> builder.redisTimeout(properties.redisTimeout()));
    }
    if (properties.consistencySampling() != 0) {
      option("nearcache.consistency-sampling",
          () -> builder.consistencySampling(properties.consistencySampling()));
    }
    String source = redis(properties, builder, fallback.getIfAvailable());
    try {
      NearCacheClient client = builder.build();
      log.info("nearcache client {} of prefix '{}' on {}", client.instanceId(), prefix, source);
      return client;
    } catch (RuntimeException e) {
      throw new InvalidNearCacheConfigurationException("nearcache could not start its client"
          + " on " + source + ": " + e.getMessage(),
          "Check the nearcache.* Redis properties and that Redis is reachable.", e);
    }
  }

  /** Sets the Redis source of {@code builder}, and says which it is. */
  private static String redis(NearCacheProperties p, NearCacheClient.Builder builder,
      @Nullable FallbackRedis boot) {
    List<String> given = new ArrayList<>();
    if (p.redisUri() != null) {
      given.add("nearcache.redis-uri");
    }
    if (!p.cluster().nodes().isEmpty()) {
      given.add("nearcache.cluster.nodes");
    }
    if (p.sentinel().master() != null) {
      given.add("nearcache.sentinel.master");
    }
    if (given.size() > 1) {
      throw new InvalidNearCacheConfigurationException("nearcache has " + given.size()
          + " Redis addresses: " + String.join(", ", given) + ".", "Set only one of them.");
    }
    if (given.isEmpty()) {
      if (boot == null) {
        throw new InvalidNearCacheConfigurationException("nearcache has no Redis address.",
            "Set nearcache.redis-uri (e.g. redis://127.0.0.1:6379), nearcache.cluster.nodes or"
                + " nearcache.sentinel.master and nearcache.sentinel.nodes; or use Spring Boot's"
                + " spring.data.redis.* with spring-boot-data-redis on the classpath.");
      }
      return boot.applyTo(builder);
    }
    if (p.username() != null || p.password() != null) {
      option("nearcache.username", () -> builder.user(
          p.username() != null ? p.username() : "default",
          p.password() != null ? p.password() : ""));
    }
    if (p.tls().enabled()) {
      option("nearcache.tls", () -> builder.tls(tls(p.tls())));
    }
    if (p.redisUri() != null) {
      option("nearcache.redis-uri", () -> builder.redisUri(p.redisUri()));
      return "nearcache.redis-uri " + withoutPassword(p.redisUri());
    }
    if (!p.cluster().nodes().isEmpty()) {
      option("nearcache.cluster.nodes",
          () -> builder.cluster(p.cluster().nodes().toArray(String[]::new)));
      return "cluster " + p.cluster().nodes();
    }
    NearCacheProperties.Sentinel sentinel = p.sentinel();
    option("nearcache.sentinel.nodes",
        () -> builder.sentinel(sentinel.master(), sentinel.nodes().toArray(String[]::new)));
    if (sentinel.username() != null || sentinel.password() != null) {
      option("nearcache.sentinel.username", () -> builder.sentinelUser(
          sentinel.username() != null ? sentinel.username() : "default",
          sentinel.password() != null ? sentinel.password() : ""));
    }
    return "Sentinel master " + sentinel.master() + " " + sentinel.nodes();
  }

  private static RedisTls tls(NearCacheProperties.Tls tls) {
    RedisTls t = tls.trustStore() == null ? RedisTls.systemTrust()
        : RedisTls.trustStore(tls.trustStore(), tls.trustStorePassword() == null ? new char[0]
            : tls.trustStorePassword().toCharArray());
    return tls.verifyHostname() ? t : t.withoutHostnameVerification();
  }

  /** A URI for the log: its password, if any, replaced. */
  static String withoutPassword(String uri) {
    return uri.replaceFirst("(://[^:@/]*):[^@/]*@", "$1:***@");
  }

  /** Runs a builder call, naming {@code property} in the failure of a value it refuses. */
  static void option(String property, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidNearCacheConfigurationException(property + ": " + e.getMessage(),
          "Correct " + property + ".", e);
    }
  }

  /**
   * Boot's {@code spring.data.redis.*}, as spring-boot-data-redis' connection details say; in a
   * class of its own, loaded only when that module is there.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(DataRedisConnectionDetails.class)
  static class BootRedisConfiguration {
    @Bean
    FallbackRedis nearCacheDataRedisFallback(
        ObjectProvider<DataRedisConnectionDetails> details) {
      return new DataRedisFallback(details);
    }
  }
}
