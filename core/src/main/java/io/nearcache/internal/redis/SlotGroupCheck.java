package io.nearcache.internal.redis;

import io.nearcache.internal.keys.SlotGroups;
import redis.clients.jedis.params.SetParams;

/**
 * Makes every client of a prefix use one count of slot groups. The count decides every key, so
 * two nodes with different counts would keep apart copies of one entry in L2 and never see each
 * other's writes there. The first client stores its count in {@code <prefix>:slot-groups}; every
 * later one must match it.
 */
public final class SlotGroupCheck {
  private SlotGroupCheck() {}

  /** The key holding the count of {@code prefix}. */
  public static String key(String prefix) {
    return prefix + ":slot-groups";
  }

  /**
   * Stores {@code groups} for {@code prefix} if no count is stored, else compares.
   *
   * @throws IllegalStateException naming both counts and the key, if they differ
   * @throws redis.clients.jedis.exceptions.JedisException if Redis cannot be reached
   */
  public static void require(RedisDeployment redis, String prefix, SlotGroups groups) {
    String key = key(prefix);
    String mine = Integer.toString(groups.count());
    // SET NX GET would be one round trip, but Redis 6.2 refuses NX with GET.
    if (redis.commands().set(key, mine, SetParams.setParams().nx()) != null) {
      return;
    }
    String stored = redis.commands().get(key);
    if (stored != null && !stored.equals(mine)) {
      throw new IllegalStateException("keyPrefix " + prefix + " uses " + stored
          + " slot groups in this Redis (" + key + "), but this client was built with " + mine
          + ": every node of a fleet must use the same slotGroups. To change the count, stop"
          + " every node, delete " + key + " and start them all with the new one");
    }
  }
}
