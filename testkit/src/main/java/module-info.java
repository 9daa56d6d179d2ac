/**
 * Real {@code redis-server} processes for tests: single servers, Sentinel and Cluster
 * deployments, TLS certificates made by the test, a TCP proxy, and a JUnit 5 extension.
 * Jedis and the JUnit Jupiter API are required transitively, as the kit's methods and its
 * extension use their types.
 */
module io.nearcache.testkit {
  requires transitive redis.clients.jedis;
  requires transitive org.junit.jupiter.api;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires org.slf4j;

  exports io.nearcache.testkit;
}
