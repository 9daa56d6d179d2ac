package io.nearcache.internal.l1;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The time L1 expiry reads on every hit: a {@link System#nanoTime()} reading that a {@link
 * ClockThread} refreshes every millisecond. Reading it is one volatile load and a branch; {@code
 * System.nanoTime()} costs about 20 ns here, a quarter of an L1 hit.
 *
 * <p>Its precision is the tick interval: an entry may be served up to one interval (or as long as
 * the ticking thread is starved) past its time to live. While no cache is used, the ticking thread
 * naps ({@link #nap}) instead of waking a thousand times a second; the first read after that reads
 * {@code System.nanoTime()} itself and wakes the thread, so a napping clock is never behind.
 *
 * <p>Never ticked, it stands still, which is what tests of L1 that must not expire want.
 */
public final class CoarseClock {
  /** What {@link #nanos} holds while the ticking thread naps; no reading of the clock is this. */
  private static final long NAPPING = Long.MIN_VALUE;
  private static final VarHandle NANOS;

  static {
    try {
      NANOS = MethodHandles.lookup().findVarHandle(CoarseClock.class, "nanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile long nanos = System.nanoTime();
  private volatile Thread ticker;

  /** The {@code System.nanoTime()} of the last tick, or of now if the clock naps. */
  public long nanos() {
    long last = nanos;
    return last != NAPPING ? last : wake();
  }

  /** Reads {@code System.nanoTime()} into this clock. */
  public void tick() {
    nanos = System.nanoTime();
  }

  /**
   * Stops standing for the time until the next read, which reads {@code System.nanoTime()} itself
   * and unparks {@code sleeper}: what the ticking thread calls before it parks with no deadline.
   */
  void nap(Thread sleeper) {
    ticker = sleeper;
    nanos = NAPPING;
  }

  /** Whether the clock naps: no read or {@link #wakeUp} came since {@link #nap}. */
  boolean napping() {
    return nanos == NAPPING;
  }

  /** Wakes the ticking thread if it naps: work for it is due. */
  void wakeUp() {
    if (nanos == NAPPING) {
      wake();
    }
  }

  /** Ends a nap: the clock stands for now again, and the ticking thread resumes. */
  private long wake() {
    long now = System.nanoTime();
    if (NANOS.compareAndSet(this, NAPPING, now)) {
      LockSupport.unpark(ticker);
    }
    return now;
  }
}
