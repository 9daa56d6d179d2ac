/**
 * A Spring Framework {@code Cache} and {@code CacheManager} backed by nearcache: {@code
 * io.nearcache.spring.NearCacheCacheManager}.
 */
module io.nearcache.spring {
  requires transitive io.nearcache;
  requires transitive spring.context;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.nearcache.spring;
}
