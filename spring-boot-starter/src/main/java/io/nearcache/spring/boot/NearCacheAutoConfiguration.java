package io.nearcache.spring.boot;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configures nearcache for a Spring Boot 4 application: a {@code NearCacheClient} from the
 * {@code nearcache.*} properties ({@link NearCacheProperties}), closed with the context; a {@code
 * NearCacheCacheManager} as the {@code cacheManager} bean unless the application defines a {@code
 * CacheManager}, with the application's {@code CacheManagerCustomizer}s and {@link
 * NearCacheManagerBuilderCustomizer}s applied; the caches' and the client's Micrometer meters when
 * nearcache-micrometer and a {@code MeterRegistry} are there; and a health indicator ({@link
 * NearCacheHealthIndicator}) when spring-boot-health is.
 *
 * <p>Runs before Boot's own cache auto-configuration, which then backs off. {@code
 * nearcache.enabled=false} turns all of it off.
 *
 * <p>Before any of it, {@link JedisCheck} makes sure the classpath has Jedis 8, and fails the
 * start saying how to get it if not (Spring Boot 4.0 manages Jedis 7.0.0).
 */
@AutoConfiguration(before = CacheAutoConfiguration.class,
    afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnProperty(prefix = "nearcache", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(NearCacheProperties.class)
@Import(JedisCheck.class)
public final class NearCacheAutoConfiguration {
  /** For Spring, which creates it; the beans are in the configurations {@link JedisCheck} adds. */
  public NearCacheAutoConfiguration() {}
}
