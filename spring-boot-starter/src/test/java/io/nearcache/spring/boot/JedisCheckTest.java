package io.nearcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * The Jedis check: against Jedis 7.0.0's own jar (the Jedis Spring Boot 4.0 manages), and a whole
 * application start with a class loader that cannot see Jedis 8's {@code RedisClient}.
 */
class JedisCheckTest {
  /** The test's own class loader, less Jedis 8's {@code RedisClient} and Jedis' pom. */
  static final class WithoutJedis8 extends ClassLoader {
    private static final Set<String> HIDDEN_RESOURCES = Set.of(
        "META-INF/maven/redis.clients/jedis/pom.properties",
        "redis/clients/jedis/RedisClient.class");

    WithoutJedis8() {
      super(JedisCheckTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.equals(JedisCheck.REQUIRED_CLASS)) {
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
      return HIDDEN_RESOURCES.contains(name) ? null : super.getResource(name);
    }
  }

  /** The check, loaded in a class loader of its own with the jars of Jedis 7.0.0 and no other. */
  @Test
  void failsOnJedis7NamingIt() throws Exception {
    Path jedis7 = Path.of("target", "jedis-7", "jedis-7.jar");
    assertThat(jedis7).as("copied by the pom's maven-dependency-plugin").exists();
    List<URL> jars = new ArrayList<>(List.of(jedis7.toUri().toURL()));
    for (Class<?> c : List.of(JedisCheck.class, ImportSelector.class, BeanClassLoaderAware.class,
        ClassUtils.class, LogFactory.class, LoggerFactory.class, Nullable.class)) {
      jars.add(c.getProtectionDomain().getCodeSource().getLocation());
    }
    try (URLClassLoader app = new URLClassLoader(jars.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      assertThat(app.loadClass("redis.clients.jedis.Jedis")).isNotNull();
      Method check = app.loadClass(JedisCheck.class.getName())
          .getDeclaredMethod("check", ClassLoader.class);
      check.setAccessible(true);
      assertThatThrownBy(() -> check.invoke(null, app))
          .cause()
          .hasMessageContaining("nearcache needs Jedis 8.0.2 or later")
          .hasMessageContaining("the classpath has Jedis 7.0.0, which lacks it")
          .hasMessageContaining("<jedis.version>8.0.2</jedis.version>")
          .extracting(e -> e.getClass().getName())
          .isEqualTo(InvalidNearCacheConfigurationException.class.getName());
    }
  }

  @Test
  void passesWithJedis8() {
    assertThatNoException().isThrownBy(() -> JedisCheck.check(getClass().getClassLoader()));
  }

  @Test
  void failsWithoutRedisClientSayingWhichJedisAndHowToSetIt() {
    ClassLoader loader = new WithoutJedis8();
    assertThat(loader.getResource("redis/clients/jedis/Jedis.class")).isNotNull();
    assertThatThrownBy(() -> JedisCheck.check(loader))
        .isInstanceOf(InvalidNearCacheConfigurationException.class)
        .hasMessageContaining("nearcache needs Jedis 8.0.2 or later")
        .hasMessageContaining("redis.clients.jedis.RedisClient")
        .hasMessageContaining("Spring Boot 4.0 manages Jedis 7.0.0")
        .hasMessageContaining("starter-parent: set <jedis.version>8.0.2</jedis.version>")
        .hasMessageContaining("redis.clients:jedis:8.0.2 in <dependencyManagement> before")
        .hasMessageContaining("jedis.version=8.0.2 in gradle.properties");
  }

  /** A whole application start, its bean class loader without Jedis 8. */
  @Test
  void failsTheApplicationsStartBeforeAnyNearcacheBeanExists() {
    SpringApplicationBuilder app = Apps.builder(ShopApp.class,
        Map.of("calls", new ShopApp.Calls()),
        "nearcache.redis-uri=redis://127.0.0.1:1", "nearcache.key-prefix=shop")
        .resourceLoader(new DefaultResourceLoader(new WithoutJedis8()));
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(app::run).satisfies(e -> thrown[0] = e);
    String messages = Apps.messages(thrown[0]);
    assertThat(messages).contains("nearcache needs Jedis 8.0.2 or later",
        "<jedis.version>8.0.2</jedis.version>");
    assertThat(messages).as("the check ran first: no client was tried on port 1")
        .doesNotContain("could not start its client");
  }
}
