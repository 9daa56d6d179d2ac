package io.nearcache.internal.redis;

import io.nearcache.internal.keys.KeyLayout;
import java.nio.charset.StandardCharsets;

/**
 * How a deployment carries invalidation messages. Classic pub/sub ({@code PUBLISH}) reaches every
 * subscriber of a channel wherever it is connected, on a cluster too, where every node forwards
 * every message to every other: one channel per prefix does. Sharded pub/sub ({@code SPUBLISH},
 * Redis 7.0 and later) keeps a message on the shard that owns its channel's slot, so a cluster's
 * bus traffic does not grow with its size: each group then needs a channel of its own, in its own
 * slot, and a listener a connection to each shard that owns groups.
 */
public enum PubSub {
  /** {@code PUBLISH}/{@code SUBSCRIBE}: one channel per prefix, {@code <prefix>:invalidations}. */
  CLASSIC("PUBLISH"),
  /**
   * {@code SPUBLISH}/{@code SSUBSCRIBE}: one channel per group, {@code
   * <prefix>:{<prefix>:<group>}:invalidations}, in the slot of the group's keys.
   */
  SHARDED("SPUBLISH");

  private final byte[] publishCommand;

  PubSub(String publishCommand) {
    this.publishCommand = publishCommand.getBytes(StandardCharsets.US_ASCII);
  }

  /** The command the change scripts announce a change with. */
  public byte[] publishCommand() {
    return publishCommand.clone();
  }

  /** The channel the changes of {@code group} of {@code prefix} are announced on. */
  public byte[] channel(String prefix, int group) {
    String name = this == CLASSIC ? prefix + ":invalidations"
        : prefix + ":" + KeyLayout.tag(prefix, group) + ":invalidations";
    return name.getBytes(StandardCharsets.UTF_8);
  }
}
