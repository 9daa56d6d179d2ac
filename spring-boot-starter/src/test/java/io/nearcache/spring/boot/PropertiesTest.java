package io.nearcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.CacheSpec;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import io.nearcache.spring.NearCacheCacheManager;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The {@code nearcache.*} properties reach the client and the caches; an application's own
 * {@code CacheManager} wins; customizers are applied; and wrong settings fail the start with a
 * message naming the property.
 */
@ExtendWith(RedisServerExtension.class)
class PropertiesTest {
  private static ConfigurableApplicationContext start(Class<?> app, String... properties) {
    return Apps.run(app, Map.of("calls", new ShopApp.Calls()), properties);
  }

  private static String failure(Class<?> app, String... properties) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(() -> start(app, properties).close()).satisfies(e -> thrown[0] = e);
    return Apps.messages(thrown[0]);
  }

  @Test
  void aCacheSpecPropertyReachesRedisAsTheTtl(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(ShopApp.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop",
        "nearcache.default-spec=remoteTtl=2h",
        "nearcache.caches.product.spec=localTtl=1m,remoteTtl=7m",
        "nearcache.caches.product.value-type=" + Product.class.getName(),
        "nearcache.caches.async.value-type=" + Product.class.getName())) {
      NearCacheCacheManager manager = app.getBean(NearCacheCacheManager.class);
      assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("product", "async");
      assertThat(manager.specOf("product")).isEqualTo(CacheSpec.parse("localTtl=1m,remoteTtl=7m"));
      assertThat(manager.specOf("async")).isEqualTo(CacheSpec.parse("remoteTtl=2h"));

      app.getBean(ShopApp.Catalog.class).product(1);

      Set<String> keys = redis.withJedis(j -> j.keys("shop:product:*:v:*"));
      assertThat(keys).hasSize(1);
      long pttl = redis.withJedis(j -> j.pttl(keys.iterator().next()));
      assertThat(Duration.ofMillis(pttl)).as("remoteTtl=7m, as Redis holds it")
          .isGreaterThan(Duration.ofMinutes(6)).isLessThanOrEqualTo(Duration.ofMinutes(7));
    }
  }

  @Test
  void clientPropertiesReachTheClient(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(ShopApp.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop.eu",
        "nearcache.instance-id=eu-7", "nearcache.consistency-sampling=20",
        "nearcache.redis-timeout=250ms",
        "nearcache.caches.product.value-type=" + Product.class.getName())) {
      NearCacheClient client = app.getBean(NearCacheClient.class);
      assertThat(client.keyPrefix()).isEqualTo("shop.eu");
      assertThat(client.instanceId()).isEqualTo("eu-7");
      assertThat(client.isInContact()).isTrue();
    }
  }

  /** Boot's own spring.data.redis settings, when nearcache has no address of its own. */
  @Test
  void withoutANearcacheAddressBootsRedisConnectionDetailsAreUsed(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(ShopApp.class,
        "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
        "nearcache.key-prefix=shop",
        "nearcache.caches.product.value-type=" + Product.class.getName())) {
      app.getBean(ShopApp.Catalog.class).product(1);
      Set<String> keys = redis.withJedis(j -> j.keys("shop:product:*:v:*"));
      assertThat(keys).as("the value went to the Redis of spring.data.redis").hasSize(1);
    }
  }

  @Test
  void aSerializerBeanServesCachesNotListedWhichAreThenCreatedOnDemand(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(WithSerializerBean.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop")) {
      CacheManager manager = app.getBean(CacheManager.class);
      assertThat(manager.getCache("greetings")).isNotNull();
      manager.getCache("greetings").put("en", "hello");
      assertThat(manager.getCache("greetings").get("en", String.class)).isEqualTo("hello");
    }
  }

  @Test
  void withoutASerializerBeanOnlyListedCachesExist(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(ShopApp.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop",
        "nearcache.caches.product.value-type=" + Product.class.getName())) {
      CacheManager manager = app.getBean(CacheManager.class);
      assertThat(manager.getCache("product")).isNotNull();
      assertThat(manager.getCache("greetings")).isNull();
    }
  }

  @Test
  void anApplicationsOwnCacheManagerWins(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(WithOwnCacheManager.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop")) {
      assertThat(app.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class);
      assertThat(app.getBeansOfType(NearCacheCacheManager.class)).isEmpty();
      assertThat(app.getBean(NearCacheClient.class).isInContact())
          .as("the client is still there for direct use").isTrue();
    }
  }

  @Test
  void customizersAreApplied(RedisServer redis) {
    try (ConfigurableApplicationContext app = start(WithCustomizers.class,
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop",
        "nearcache.caches.product.value-type=" + Product.class.getName())) {
      NearCacheCacheManager manager = app.getBean(NearCacheCacheManager.class);
      assertThat(app.getBean(WithCustomizers.class).customized).containsExactly(manager);
      assertThat(manager.getCacheNames()).as("the builder customizer added a cache")
          .contains("product", "greetings");
      manager.getCache("greetings").put("en", "hello");
      assertThat(manager.getCache("greetings").get("en", String.class)).isEqualTo("hello");
    }
  }

  @Test
  void aMissingKeyPrefixFailsTheStartNamingTheProperty(RedisServer redis) {
    assertThat(failure(ShopApp.class, "nearcache.redis-uri=" + redis.uri()))
        .contains("nearcache.key-prefix is not set", "nearcache.key-prefix=shop");
  }

  @Test
  void aBadSpecFailsTheStartNamingThePropertyAndTheValue(RedisServer redis) {
    assertThat(failure(ShopApp.class, "nearcache.redis-uri=" + redis.uri(),
        "nearcache.key-prefix=shop", "nearcache.caches.product.spec=localTtl=30x",
        "nearcache.caches.product.value-type=" + Product.class.getName()))
        .contains("nearcache.caches.product.spec: ", "localTtl", "30x");
    assertThat(failure(ShopApp.class, "nearcache.redis-uri=" + redis.uri(),
        "nearcache.key-prefix=shop", "nearcache.default-spec=remoteTtl=soon"))
        .contains("nearcache.default-spec: ", "remoteTtl", "soon");
  }

  @Test
  void twoRedisAddressesFailTheStartNamingBoth(RedisServer redis) {
    assertThat(failure(ShopApp.class, "nearcache.redis-uri=" + redis.uri(),
        "nearcache.cluster.nodes=127.0.0.1:1", "nearcache.key-prefix=shop"))
        .contains("nearcache.redis-uri, nearcache.cluster.nodes", "Set only one of them");
  }

  @Test
  void aListedCacheWithoutASerializerFailsTheStartNamingTheWaysOut(RedisServer redis) {
    assertThat(failure(ShopApp.class, "nearcache.redis-uri=" + redis.uri(),
        "nearcache.key-prefix=shop", "nearcache.caches.product.spec=localTtl=1m"))
        .contains("[product] have no serializer", "value-type", "Serializer bean");
  }

  @Test
  void aCacheNameNearcacheRefusesFailsTheStartNamingIt(RedisServer redis) {
    assertThat(failure(WithSerializerBean.class, "nearcache.redis-uri=" + redis.uri(),
        "nearcache.key-prefix=shop", "nearcache.caches[price list].spec=localTtl=1m"))
        .contains("nearcache could not build its cache manager", "price list",
            "[A-Za-z0-9_.-]{1,64}");
  }

  /** UTF-8 strings: a default serializer for every cache. */
  static final class Utf8 implements Serializer<String> {
    @Override
    public byte[] serialize(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableCaching
  static class WithSerializerBean {
    @Bean
    Serializer<String> utf8() {
      return new Utf8();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableCaching
  static class WithOwnCacheManager {
    @Bean
    CacheManager myCacheManager() {
      return new ConcurrentMapCacheManager();
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableCaching
  static class WithCustomizers {
    final List<CacheManager> customized = new ArrayList<>();

    @Bean
    CacheManagerCustomizer<NearCacheCacheManager> recordingCustomizer() {
      return customized::add;
    }

    @Bean
    NearCacheManagerBuilderCustomizer greetingsCache() {
      return builder -> builder.cache("greetings", "localTtl=1m").serializer("greetings",
          new Utf8());
    }
  }
}
