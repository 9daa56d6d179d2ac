package io.nearcache.spring.boot;

import io.nearcache.NearCacheClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code nearCache} health indicator, when spring-boot-health is on the classpath and {@code
 * management.health.nearcache.enabled} is not {@code false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("nearcache")
class NearCacheHealthConfiguration {
  @Bean
  @ConditionalOnBean(NearCacheClient.class)
  @ConditionalOnMissingBean(name = "nearCacheHealthIndicator")
  NearCacheHealthIndicator nearCacheHealthIndicator(NearCacheClient client) {
    return new NearCacheHealthIndicator(client);
  }
}
