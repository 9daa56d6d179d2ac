package io.nearcache.spring.boot;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;

/**
 * Imports nearcache's configurations only once the classpath is known to have Jedis 8, so that no
 * class of them, which use Jedis 8's {@code RedisClient}, is loaded against an older Jedis (which
 * would fail later, with a {@code NoClassDefFoundError} that names no cause).
 *
 * <p>Spring Boot 4.0 manages Jedis 7.0.0, which lacks {@code redis.clients.jedis.RedisClient}: an
 * application whose Jedis version Boot chooses gets, at start, an {@link
 * InvalidNearCacheConfigurationException} saying which Jedis is needed and how to set it, for
 * Maven with Boot's parent or its imported BOM, and for Gradle.
 */
final class JedisCheck implements ImportSelector, BeanClassLoaderAware {
  static final String REQUIRED_CLASS = "redis.clients.jedis.RedisClient";
  static final String REQUIRED_VERSION = "8.0.2";
  private static final String POM = "META-INF/maven/redis.clients/jedis/pom.properties";
  private static final Logger log = LoggerFactory.getLogger(JedisCheck.class);

  private @Nullable ClassLoader classLoader;

  @Override
  public void setBeanClassLoader(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  @Override
  public String[] selectImports(AnnotationMetadata metadata) {
    check(classLoader);
    // By name: loading them before the check passed is what the check is there to prevent.
    return new String[] {
        "io.nearcache.spring.boot.NearCacheClientConfiguration",
        "io.nearcache.spring.boot.NearCacheCacheManagerConfiguration",
        "io.nearcache.spring.boot.NearCacheMetricsConfiguration",
        "io.nearcache.spring.boot.NearCacheHealthConfiguration"};
  }

  /**
   * Fails unless {@code loader} sees Jedis 8's {@code RedisClient}.
   *
   * @param loader the application's class loader ({@code null}: the default one)
   * @throws InvalidNearCacheConfigurationException if it does not, naming the Jedis found and
   *     the property that sets the version under Spring Boot's dependency management
   */
  static void check(@Nullable ClassLoader loader) {
    if (ClassUtils.isPresent(REQUIRED_CLASS, loader)) {
      return;
    }
    String found = jedisVersion(loader);
    throw new InvalidNearCacheConfigurationException(
        "nearcache needs Jedis " + REQUIRED_VERSION + " or later (it uses " + REQUIRED_CLASS
            + "), and " + (found == null ? "the classpath lacks it."
                : "the classpath has Jedis " + found + ", which lacks it."),
        "Spring Boot 4.0 manages Jedis 7.0.0. Maven with spring-boot-starter-parent: set"
            + " <jedis.version>" + REQUIRED_VERSION + "</jedis.version> in your pom.xml's"
            + " <properties>. Maven importing spring-boot-dependencies: declare"
            + " redis.clients:jedis:" + REQUIRED_VERSION + " in <dependencyManagement> before"
            + " that import (a property does not reach an imported BOM). Gradle with the"
            + " io.spring.dependency-management plugin: set jedis.version=" + REQUIRED_VERSION
            + " in gradle.properties; with platform(...): depend on redis.clients:jedis:"
            + REQUIRED_VERSION + " directly.");
  }

  private static @Nullable String jedisVersion(@Nullable ClassLoader loader) {
    ClassLoader l = loader != null ? loader : ClassUtils.getDefaultClassLoader();
    try (InputStream in = l == null ? null : l.getResourceAsStream(POM)) {
      if (in == null) {
        return null;
      }
      Properties pom = new Properties();
      pom.load(in);
      return pom.getProperty("version");
    } catch (IOException e) {
      // Only the message loses the version; the failure it explains still stands.
      log.debug("could not read {}", POM, e);
      return null;
    }
  }
}
