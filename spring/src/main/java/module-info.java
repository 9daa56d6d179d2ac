/**
 * A Spring Framework {@code Cache} and {@code CacheManager} backed by nearcache: {@code
 * io.nearcache.spring.NearCacheCacheManager}.
 */
module io.nearcache.spring {
  requires transitive io.nearcache;
  requires transitive spring.context;
  requires org.slf4j;
  // Nullness annotations on the API; not needed at run time.
  requires static transitive org.jspecify;

  exports io.nearcache.spring;
}
