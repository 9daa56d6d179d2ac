package io.nearcache.spring.boot;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.nearcache.NearCacheClient;
import io.nearcache.micrometer.NearCacheClientMetrics;
import io.nearcache.micrometer.NearCacheMetrics;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Meters, when Micrometer and nearcache-micrometer are on the classpath: a {@link
 * NearCacheCacheMeterBinderProvider}, through which Boot's cache metrics bind every {@code
 * NearCacheCache} its cache managers had at start, and the client's meters as a {@link
 * MeterBinder} bean, which Boot's metrics auto-configuration binds to its registries.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({MeterBinder.class, NearCacheMetrics.class})
class NearCacheMetricsConfiguration {
  @Bean
  @ConditionalOnMissingBean
  NearCacheCacheMeterBinderProvider nearCacheCacheMeterBinderProvider() {
    return new NearCacheCacheMeterBinderProvider();
  }

  @Bean
  @ConditionalOnBean(NearCacheClient.class)
  @ConditionalOnMissingBean
  NearCacheClientMetrics nearCacheClientMetrics(NearCacheClient client) {
    return new NearCacheClientMetrics(client, Tags.empty());
  }
}
