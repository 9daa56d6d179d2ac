/**
 * nearcache: a Caffeine cache (L1) in front of Redis (L2), kept coherent across JVMs by Redis
 * pub/sub invalidation.
 *
 * <p>Exports the API package {@code io.nearcache} only ({@code NearCacheClient}, {@code
 * NearCache}, {@code CacheSpec}, {@code CacheStats}, {@code Serializer}, {@code KeyCodec}, {@code
 * RedisTls} and the exceptions). {@code io.nearcache.internal} and its subpackages hold the
 * implementation and are not exported: code in another module cannot compile against them.
 * Jedis is required transitively, as {@code NearCacheClient.Builder.jedis(...)} takes its clients.
 */
module io.nearcache {
  requires transitive redis.clients.jedis;
  // Jedis' connection pool config extends commons-pool2's. Jedis is an automatic module and cannot
  // require it itself: without this, a module-path launch (java -m) does not resolve commons-pool2.
  requires org.apache.commons.pool2;
  requires com.github.benmanes.caffeine;
  requires com.google.common;
  requires org.slf4j;
  requires java.management;

  exports io.nearcache;
}
