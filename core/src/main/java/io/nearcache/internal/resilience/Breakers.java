package io.nearcache.internal.resilience;

import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.redis.Shard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * One {@link CircuitBreaker} per server that owns slot groups, so that a slow or dead shard of a
 * cluster turns Redis off only for the groups it owns: calls of the groups on healthy shards go
 * on. On one server or behind Sentinel there is one shard, and so one breaker. A failover that
 * moves groups to another server gives them that server's breaker, closed if it is healthy.
 *
 * <p>{@link #of(int)} is one volatile read of an array; it is on every Redis call's path.
 */
public final class Breakers {
  private final String name;
  private final int failureThreshold;
  private final Duration coolDown;
  private final Consumer<List<Integer>> onOpen;
  private final AtomicReferenceArray<CircuitBreaker> byGroup;
  private Map<String, CircuitBreaker> byShard = new HashMap<>();

  /**
   * Creates the breakers of a client, one for every group until {@link #follow} names the shards.
   *
   * @param onOpen called, on the failing caller's thread, with the groups of a breaker that opens
   */
  public Breakers(String name, int failureThreshold, Duration coolDown, SlotGroups groups,
      Consumer<List<Integer>> onOpen) {
    this.byGroup = new AtomicReferenceArray<>(groups.count());
    this.name = name;
    this.failureThreshold = failureThreshold;
    this.coolDown = coolDown;
    this.onOpen = onOpen;
    CircuitBreaker first = breaker(name);
    for (int group = 0; group < byGroup.length(); group++) {
      byGroup.set(group, first);
    }
  }

  /** The breaker the calls of {@code group} go through. */
  public CircuitBreaker of(int group) {
    return byGroup.get(group);
  }

  /** Gives each shard's groups the shard's breaker; a shard seen before keeps its own. */
  public synchronized void follow(List<Shard> shards) {
    Map<String, CircuitBreaker> next = new HashMap<>();
    for (Shard shard : shards) {
      CircuitBreaker breaker = byShard.get(shard.id());
      if (breaker == null) {
        breaker = breaker(name + "@" + shard.id());
      }
      next.put(shard.id(), breaker);
      for (int group : shard.groups()) {
        byGroup.set(group, breaker);
      }
    }
    byShard = next;
  }

  /** Whether some breaker is open: Redis failed for some groups and has not answered since. */
  public boolean anyOpen() {
    for (int group = 0; group < byGroup.length(); group++) {
      if (byGroup.get(group).isOpen()) {
        return true;
      }
    }
    return false;
  }

  private CircuitBreaker breaker(String breakerName) {
    CircuitBreaker[] made = new CircuitBreaker[1];
    made[0] = new CircuitBreaker(breakerName, failureThreshold, coolDown,
        () -> onOpen.accept(groupsOf(made[0])));
    return made[0];
  }

  private List<Integer> groupsOf(CircuitBreaker breaker) {
    List<Integer> groups = new ArrayList<>();
    for (int group = 0; group < byGroup.length(); group++) {
      if (byGroup.get(group) == breaker) {
        groups.add(group);
      }
    }
    return groups;
  }
}
