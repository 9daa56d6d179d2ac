package io.nearcache.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The nearcache.* properties: where Redis is, the key prefix every instance of the
 * application shares, and the caches.
 *
 * <p>Redis is given by exactly one of redis-uri, cluster.nodes and
 * sentinel.master; with none of them, Spring Boot's spring.data.redis.* connection
 * details are used when spring-boot-data-redis provides them. Values are checked when the client
 * is created, and a wrong one fails the application's start with a message naming the property.
 *
 * @param enabled whether nearcache is auto-configured at all
 * @param keyPrefix the prefix of every Redis key and channel; required, and the same on every
 *     instance of the application ([A-Za-z0-9_.-]{1,64})
 * @param instanceId this instance's name in logs and client meters; default the JVM's
 *     pid@host
 * @param redisUri one Redis server, redis://[user:password@]host:port[/database], or
 *     rediss://... for TLS with the JVM's trust store
 * @param username the Redis ACL user, for a URI without one, a cluster or Sentinel's primary
 * @param password the password of username, or of the default user when it is not set
 * @param cluster a Redis Cluster
 * @param sentinel a primary behind Sentinel
 * @param tls TLS for every connection, with the JVM's trust or a trust store (for one server,
 *     rediss:// alone turns TLS on with the JVM's trust)
 * @param redisTimeout the bound of every Redis call; default 100 ms
 * @param defaultSpec the CacheSpec of caches not listed under caches, such as
 *     localTtl=30s,remoteTtl=5m; default the library's defaults
 * @param caches the caches created at start, by name
 * @param allowNullValues whether a method returning null is cached (as a marker)
 * @param createMissingCaches whether a cache name not listed is created on first use with the
 *     default spec; default: yes when a default Serializer bean exists, no otherwise
 * @param consistencySampling L1 entries a second compared with Redis to measure staleness, 0 to
 *     1000; 0 (the default) turns sampling off
 */
@ConfigurationProperties("nearcache")
public record NearCacheProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable String keyPrefix,
    @Nullable String instanceId,
    @Nullable String redisUri,
    @Nullable String username,
    @Nullable String password,
    @DefaultValue Cluster cluster,
    @DefaultValue Sentinel sentinel,
    @DefaultValue Tls tls,
    @Nullable Duration redisTimeout,
    @Nullable String defaultSpec,
    @DefaultValue Map<String, CacheProperties> caches,
    @DefaultValue("true") boolean allowNullValues,
    @Nullable Boolean createMissingCaches,
    @DefaultValue("0") int consistencySampling) {

  /**
   * A Redis Cluster.
   *
   * @param nodes seed nodes as host:port; any node of the cluster will do
   */
  public record Cluster(@DefaultValue List<String> nodes) {}

  /**
   * A primary with replicas behind Sentinel.
   *
   * @param master the name the Sentinels know the primary by
   * @param nodes the Sentinels as host:port
   * @param username the Sentinels' own ACL user, if they have one
   * @param password the password of the Sentinels' user
   */
  public record Sentinel(@Nullable String master, @DefaultValue List<String> nodes,
      @Nullable String username, @Nullable String password) {}

  /**
   * TLS for every server and Sentinel the client connects to.
   *
   * @param enabled whether to connect with TLS
   * @param trustStore a PKCS#12 or JKS trust store; default the JVM's trust
   * @param trustStorePassword the trust store's password
   * @param verifyHostname whether server certificates must name the address connected to
   */
  public record Tls(boolean enabled, @Nullable Path trustStore,
      @Nullable String trustStorePassword, @DefaultValue("true") boolean verifyHostname) {}

  /**
   * One cache, {@code nearcache.caches.<name>}.
   *
   * @param spec its CacheSpec, such as localTtl=60s,remoteTtl=300s; default the
   *     default-spec
   * @param valueType the class of its values, stored as JSON by nearcache-serializers'
   *     JacksonJsonSerializer; default the application's Serializer bean
   */
  public record CacheProperties(@Nullable String spec, @Nullable Class<?> valueType) {}
}
