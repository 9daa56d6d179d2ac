package io.nearcache.jmh;

import java.lang.management.ManagementFactory;

/** The used heap, for the footprint harnesses. */
final class Heap {
  private Heap() {}

  /** Used heap after collections have settled. */
  static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
