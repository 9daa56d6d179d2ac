package io.nearcache.examples.catalog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time, from Linux's {@code /proc/stat}: every process counted, the node,
 * autocannon, PostgreSQL and Redis alike, so that a run can tell whether the cores had any time
 * left. A snapshot taken elsewhere than on Linux holds nothing, and its figures read as NaN.
 *
 * @param busyTicks clock ticks the cores spent on anything but idling and waiting for I/O
 * @param allTicks every clock tick of every core
 */
record MachineCpu(long busyTicks, long allTicks) {
  private static final Path STAT = Path.of("/proc/stat");
  private static final MachineCpu NONE = new MachineCpu(0, 0);

  /** The machine's CPU time so far, or nothing where {@code /proc/stat} cannot be read. */
  static MachineCpu now() {
    try {
      // cpu  user nice system idle iowait irq softirq steal ...: the first line sums every core
      String[] fields = Files.readAllLines(STAT).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < Math.min(fields.length, 9); i++) {
        all += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new MachineCpu(all - idle, all);
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  /** The CPU time between {@code earlier} and this snapshot. */
  MachineCpu since(MachineCpu earlier) {
    return new MachineCpu(busyTicks - earlier.busyTicks, allTicks - earlier.allTicks);
  }

  /** The share of the cores' time spent busy, 0 to 1; NaN without figures. */
  double busyShare() {
    return allTicks == 0 ? Double.NaN : (double) busyTicks / allTicks;
  }

  /**
   * The busy CPU time in milliseconds, given the run's length: {@code busyShare} of every core
   * over it. NaN without figures.
   */
  double busyMillis(double seconds, int cores) {
    return busyShare() * seconds * cores * 1_000;
  }
}
