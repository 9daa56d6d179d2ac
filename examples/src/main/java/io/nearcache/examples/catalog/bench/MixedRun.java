package io.nearcache.examples.catalog.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import io.nearcache.CacheStats;
import io.nearcache.examples.catalog.CatalogServer;
import io.nearcache.examples.catalog.CatalogStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of the mixed benchmark on a warm node: autocannon's listing load for a fixed duration,
 * with or without a stream of price updates to the same node ({@link PriceUpdates}), and the
 * node's database statements ({@link CatalogStore#statements()}) and listing cache counters over
 * the run, from a snapshot taken before the load and the updates start to one taken after both
 * stopped. The JVM's CPU time over the run (the node, the updates, this bench; not autocannon,
 * PostgreSQL or Redis), the whole machine's, and the load average at its end tell how much of a
 * difference between runs is the run's own and how much is other work on the machine.
 */
final class MixedRun {
  /** The seed of the updates' products and prices: every run with updates meets the same ones. */
  private static final long SEED = 15;
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Autocannon autocannon;
  private final int connections;
  private final String duration;
  private final Path raw;

  /**
   * @param duration autocannon's budget, {@code duration=20s}: the same for every run
   * @param raw the directory for the raw results
   */
  MixedRun(Autocannon autocannon, int connections, String duration, Path raw) {
    this.autocannon = autocannon;
    this.connections = connections;
    this.duration = duration;
    this.raw = raw;
  }

  /**
   * What one run measured: the load's latency and throughput, the window's length, and the
   * statements, listing cache counters, price updates and JVM CPU time over it; {@code
   * listedProducts} is how many products the updates picked among, {@code loadAverage} the
   * machine's one-minute load average at the end.
   */
  record Outcome(String name, Autocannon.Result load, double seconds, long statements,
      CacheStats listing, long updates, long failedUpdates, int listedProducts, long cpuNanos,
      MachineCpu machine, double loadAverage) {

    /** The JVM's CPU milliseconds per 1,000 answered requests. */
    double cpuMillisPerThousandRequests() {
      return cpuNanos / 1e3 / load.total();
    }

    /**
     * The whole machine's busy CPU milliseconds per 1,000 answered requests: the node, autocannon,
     * PostgreSQL and Redis together.
     */
    double machineCpuMillisPerThousandRequests() {
      return machine.busyMillis(seconds, Runtime.getRuntime().availableProcessors())
          / load.total() * 1_000;
    }

    double statementsPerSecond() {
      return statements / seconds;
    }

    /** Statements per 1,000 answered requests: the load's cost, whatever the throughput. */
    double statementsPerThousandRequests() {
      return 1_000.0 * statements / load.total();
    }

    double listingLoadsPerSecond() {
      return listing.loadSuccesses() / seconds;
    }

    double updatesPerSecond() {
      return updates / seconds;
    }

    /** Listing L1 hits over listing L1 lookups in the window. */
    double listingHitRatio() {
      return (double) listing.l1Hits() / listing.l1Requests();
    }
  }

  /**
   * Runs the load on {@code node}, which reads through {@code store}, with {@code updatesPerSecond}
   * price updates of random products of {@code ids} (none when 0), and writes the raw results as
   * {@code mixed-<name>.json} and {@code mixed-<name>-counters.json}.
   */
  Outcome run(String name, CatalogServer node, CatalogStore store, int updatesPerSecond,
      List<Long> ids) throws IOException, InterruptedException {
    long statementsBefore = store.statements();
    long cpuBefore = OS.getProcessCpuTime();
    MachineCpu machineBefore = MachineCpu.now();
    CacheStats listingBefore = node.listingStats().orElseThrow();
    long start = System.nanoTime();
    Autocannon.Result load;
    long updates = 0;
    long failed = 0;
    if (updatesPerSecond > 0) {
      PriceUpdates stream = PriceUpdates.start(node.port(), ids, updatesPerSecond, SEED);
      try (stream) {
        load = runLoad(name, node);
      }
      updates = stream.succeeded();
      failed = stream.failed();
    } else {
      load = runLoad(name, node);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Outcome outcome = new Outcome(name, load, seconds, store.statements() - statementsBefore,
        node.listingStats().orElseThrow().minus(listingBefore), updates, failed, ids.size(),
        OS.getProcessCpuTime() - cpuBefore, MachineCpu.now().since(machineBefore),
        OS.getSystemLoadAverage());
    writeCounters(outcome);
    return outcome;
  }

  private Autocannon.Result runLoad(String name, CatalogServer node)
      throws IOException, InterruptedException {
    return autocannon.run(node.port(), connections, duration,
        raw.resolve("mixed-" + name + ".json"));
  }

  private void writeCounters(Outcome o) throws IOException {
    Map<String, Object> counters = new LinkedHashMap<>();
    counters.put("run", o.name());
    counters.put("seconds", o.seconds());
    counters.put("statements", o.statements());
    counters.put("priceUpdates", o.updates());
    counters.put("failedPriceUpdates", o.failedUpdates());
    counters.put("listingL1Hits", o.listing().l1Hits());
    counters.put("listingL1Misses", o.listing().l1Misses());
    counters.put("listingL2Hits", o.listing().l2Hits());
    counters.put("listingL2Misses", o.listing().l2Misses());
    counters.put("listingLoads", o.listing().loadSuccesses());
    counters.put("listingLoadFailures", o.listing().loadFailures());
    counters.put("jvmCpuMillis", o.cpuNanos() / 1_000_000);
    counters.put("machineBusyShare", o.machine().busyShare());
    counters.put("loadAverageAtEnd", o.loadAverage());
    new ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValue(raw.resolve("mixed-" + o.name() + "-counters.json").toFile(), counters);
  }
}
