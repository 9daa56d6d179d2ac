package io.nearcache.internal.l1;

/**
 * The time L1 expiry reads on every hit: a {@link System#nanoTime()} reading that its owner
 * refreshes with {@link #tick()} (the client does so every millisecond on a thread of its own).
 * Reading it is one volatile load; {@code System.nanoTime()} costs about 20 ns here, a quarter of
 * an L1 hit.
 *
 * <p>Its precision is the tick interval: an entry may be served up to one interval (or as long as
 * the ticking thread is starved) past its time to live. Never ticked, it stands still, which is
 * what tests of L1 that must not expire want.
 */
public final class CoarseClock {
  private volatile long nanos = System.nanoTime();

  /** The {@code System.nanoTime()} of the last tick, or of creation before the first. */
  public long nanos() {
    return nanos;
  }

  /** Reads {@code System.nanoTime()} into this clock. */
  public void tick() {
    nanos = System.nanoTime();
  }
}
