package io.nearcache.jmh;

import io.nearcache.NearCacheClient;
import io.nearcache.testkit.RedisCluster;

/**
 * Where the nearcache clients of a measurement keep their L2: {@value #STANDALONE}, the workload's
 * one Redis (testkit's or {@code REDIS_URL}'s), or {@value #CLUSTER}, a testkit Redis Cluster
 * (three primaries, three replicas on loopback) started for it and stopped by {@link #close()}.
 * The cluster is always testkit's, {@code REDIS_URL} or not: it is started empty and thrown away,
 * so its keys need no cleanup.
 */
final class Deployment implements AutoCloseable {
  /** The workload's Redis. */
  static final String STANDALONE = "standalone";
  /** A testkit Redis Cluster of its own. */
  static final String CLUSTER = "cluster";

  private final Workload workload;
  private final RedisCluster cluster;

  private Deployment(Workload workload, RedisCluster cluster) {
    this.workload = workload;
    this.cluster = cluster;
  }

  /**
   * The deployment {@code name}, {@value #STANDALONE} or {@value #CLUSTER}; a cluster is started
   * now (about 2 s).
   */
  static Deployment of(String name, Workload workload) {
    return switch (name) {
      case STANDALONE -> new Deployment(workload, null);
      case CLUSTER -> new Deployment(workload, RedisCluster.start());
      default -> throw new IllegalArgumentException("unknown deployment: " + name);
    };
  }

  /** A nearcache client of its own on this deployment, under the workload's prefix. */
  NearCacheClient nearcache() {
    if (cluster == null) {
      return Peers.nearcache(workload);
    }
    String[] seeds = cluster.seeds().stream().map(s -> s.getHost() + ":" + s.getPort())
        .toArray(String[]::new);
    return NearCacheClient.builder().cluster(seeds).keyPrefix(workload.prefix).build();
  }

  /** Stops the cluster, if this deployment started one. */
  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
