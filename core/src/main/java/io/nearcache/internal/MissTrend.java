package io.nearcache.internal;

/**
 * Whether a cache's L2 lookups have mostly missed lately: a counter that each miss raises and each
 * hit lowers, within 0 to {@value #MAX}. A miss of both tiers costs a plain {@code GET}, then the
 * lease script, then the lease-checked write; while lookups mostly miss (a cold start, a wave of
 * expiries), the lease script alone does the lookup, one round trip fewer. While they mostly hit,
 * the plain {@code GET} stays, the cheapest command Redis has.
 *
 * <p>Updated without locks: two threads may lose each other's step, which only delays the switch
 * by a lookup; the answer is a guess about the next lookup either way, never a matter of
 * correctness.
 */
final class MissTrend {
  private static final int MAX = 3;
  /** Lookups go to the lease script at once from this score on: two misses in a row. */
  private static final int LEASE_FIRST_AT = 2;

  private volatile int score;

  /** Whether the next lookup should take the lease at once. */
  boolean mostlyMisses() {
    return score >= LEASE_FIRST_AT;
  }

  /** An L2 lookup found a value. */
  void hit() {
    int s = score;
    if (s > 0) {
      score = s - 1;
    }
  }

  /** An L2 lookup found none. */
  void miss() {
    int s = score;
    if (s < MAX) {
      score = s + 1;
    }
  }
}
