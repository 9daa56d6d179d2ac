package io.nearcache.examples.catalog.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The mixed runs' section of {@code RESULTS.md}: rounds of a read-only {@code near} run followed
 * by a {@code near} run with price updates (which invalidates by tag), then one {@code near-all}
 * run with the same updates; a row each, the ratios of each round, and whether the goals are met
 * by the rounds' median. Pairing the runs round by round and taking the median is what makes the
 * p99 ratio mean something on a machine whose read-only throughput alone swings by half between
 * runs minutes apart.
 */
final class MixedReport {
  /** near-all's statements a second over near's: at least this. */
  static final double STATEMENTS_GOAL = 10;
  /** near's p99 with updates over its p99 without: at most this. */
  static final double P99_GOAL = 1.2;

  private final List<MixedRun.Outcome> readOnly;
  private final List<MixedRun.Outcome> tags;
  private final MixedRun.Outcome all;
  private final int connections;
  private final int updatesPerSecond;
  private final String duration;

  /**
   * @param readOnly the read-only runs, one per round
   * @param tags the runs with updates invalidating by tag, one per round, each after the read-only
   *     run of its round
   * @param connections autocannon's connections
   * @param updatesPerSecond the rate the runs with updates were given
   * @param duration autocannon's budget, {@code duration=20s}
   */
  MixedReport(List<MixedRun.Outcome> readOnly, List<MixedRun.Outcome> tags,
      MixedRun.Outcome all, int connections, int updatesPerSecond, String duration) {
    if (readOnly.size() != tags.size() || readOnly.isEmpty()) {
      throw new IllegalArgumentException("rounds of a read-only and a tags run each: "
          + readOnly.size() + " and " + tags.size());
    }
    this.readOnly = List.copyOf(readOnly);
    this.tags = List.copyOf(tags);
    this.all = all;
    this.connections = connections;
    this.updatesPerSecond = updatesPerSecond;
    this.duration = duration;
  }

  /** The section, in Markdown, from its heading on. */
  String markdown() {
    int rounds = readOnly.size();
    StringBuilder md = new StringBuilder("\n## Price updates under the read load\n\n");
    md.append(format("%d rounds of two runs, then one more run, of %s each, each on a node of its"
        + " own, filled and warmed as above, under the same autocannon load (%d connections over"
        + " the storefront listings). Each round is a run of `near` with reads only, then one in"
        + " which a scheduler thread also POSTs %d price updates a second to the node"
        + " (`/admin/products/{id}/price`), of random products among the %,d that the listings"
        + " show: `near` invalidates the product and the listings showing it"
        + " (`invalidateTag(\"p\" + id)`). The last run, `near-all`, meets the same updates and"
        + " invalidates the product and every listing (`invalidateAll()`, the mode before tags)."
        + " Every run with updates meets the same sequence. DB statements: every statement"
        + " `CatalogStore` sent to the database (the loads' SELECTs and the updates' UPDATEs),"
        + " counted by the store. Listing loads: the listing cache's loader calls. Listing L1 hit"
        + " ratio: the node's listing cache's `l1Hits / l1Requests`. All three over the run, from"
        + " a snapshot before autocannon and the updates started to one after both stopped.%n%n",
        rounds, duration.replace("duration=", ""), connections, updatesPerSecond,
        tags.get(0).listedProducts()));
    md.append("| run | price updates/s | DB statements/s | DB statements / 1k requests"
        + " | listing loads/s | listing L1 hit ratio | p50 (ms) | p99 (ms) | requests/s"
        + " | non-2xx / errors | JVM CPU ms / 1k requests | machine CPU busy"
        + " | machine CPU ms / 1k requests | load average at end |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < rounds; i++) {
      row(md, format("round %d: near, read only", i + 1), readOnly.get(i));
      row(md, format("round %d: near (tags), with updates", i + 1), tags.get(i));
    }
    row(md, "near-all (invalidateAll), with updates", all);
    md.append(format("%nJVM CPU: the process of the node (with the updates' client and this"
        + " bench), not autocannon, PostgreSQL or Redis. Machine CPU: every process on the"
        + " machine's %d cores, from `/proc/stat` over the run. The load average shows other work"
        + " on the machine at each run's end.%n", cores()));

    md.append(format("%nRatios of each round, near (tags) with updates over the read-only run"
        + " before it (p50, p99, requests/s), and what the updates cost: the machine's busy time"
        + " in the run with updates beyond what its requests cost at the read-only run's rate,"
        + " as a share of the cores' time, and the node's JVM's part of it (the loads' JDBC and"
        + " JSON, the invalidations, the updates' HTTP client; the rest is PostgreSQL, Redis and"
        + " autocannon):%n%n"));
    md.append("| round | p50 | p99 | requests/s | updates' share of the machine | of which the JVM"
        + " |\n|---|---|---|---|---|---|\n");
    List<Double> p99s = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      MixedRun.Outcome before = readOnly.get(i);
      MixedRun.Outcome with = tags.get(i);
      double p99 = with.load().p99() / before.load().p99();
      p99s.add(p99);
      md.append(format("| %d | %.2fx | %.2fx | %.2fx | %.1f%% | %.1f%% |%n", i + 1,
          with.load().p50() / before.load().p50(), p99,
          with.load().requestsPerSecond() / before.load().requestsPerSecond(),
          100 * beyondRequests(before.machineCpuMillisPerThousandRequests(), with,
              with.machine().busyMillis(with.seconds(), cores())),
          100 * beyondRequests(before.cpuMillisPerThousandRequests(), with,
              with.cpuNanos() / 1e6)));
    }
    double p99 = median(p99s);
    double tagsStatements = median(tags, MixedRun.Outcome::statementsPerSecond);
    double fewer = all.statementsPerSecond() / tagsStatements;
    md.append(format("%nnear-all over near (tags), against the median of the rounds: DB"
            + " statements a second %.1fx, per request %.1fx, listing loads %.1fx, p50 %.2fx,"
            + " p99 %.2fx, requests/s %.2fx; listing L1 hit ratio %s against %s.%n%n",
        fewer, all.statementsPerThousandRequests()
            / median(tags, MixedRun.Outcome::statementsPerThousandRequests),
        all.listingLoadsPerSecond() / median(tags, MixedRun.Outcome::listingLoadsPerSecond),
        all.load().p50() / median(tags, o -> o.load().p50()),
        all.load().p99() / median(tags, o -> o.load().p99()),
        all.load().requestsPerSecond() / median(tags, o -> o.load().requestsPerSecond()),
        percent(all.listingHitRatio()), percent(median(tags, MixedRun.Outcome::listingHitRatio))));
    md.append(format("Goals, judged by the median of the rounds:%n%n"
            + "- DB statements of near (tags) at least %.0fx fewer than near-all's: %.1fx fewer,"
            + " **%s**.%n"
            + "- p99 of near (tags) with updates within %.1fx of the read-only near run's: %.2fx"
            + " (rounds: %s), **%s**.%n",
        STATEMENTS_GOAL, fewer, met(fewer >= STATEMENTS_GOAL), P99_GOAL, p99, ratios(p99s),
        met(p99 <= P99_GOAL)));
    return md.toString();
  }

  /**
   * The share of the cores' time that {@code run} spent, of {@code busyMillis} (the whole
   * machine's, or the JVM's), on anything but its requests, each costing {@code perThousand}
   * milliseconds per 1,000 as in the read-only run of its round: the updates, their statements,
   * the reloads and the invalidations.
   */
  private static double beyondRequests(double perThousand, MixedRun.Outcome run,
      double busyMillis) {
    double requests = perThousand * run.load().total() / 1_000;
    return (busyMillis - requests) / (run.seconds() * cores() * 1_000);
  }

  private static double median(List<MixedRun.Outcome> runs,
      ToDoubleFunction<MixedRun.Outcome> figure) {
    return median(runs.stream().map(figure::applyAsDouble).toList());
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String ratios(List<Double> values) {
    return String.join(", ", values.stream().map(v -> format("%.2fx", v)).toList());
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  private static void row(StringBuilder md, String run, MixedRun.Outcome o) {
    md.append(format(
        "| %s | %.1f | %,.0f | %,.1f | %,.1f | %s | %,.1f | %,.1f | %,.0f | %d / %d | %,.0f"
            + " | %s | %,.0f | %.1f |%n", run,
        o.updatesPerSecond(), o.statementsPerSecond(), o.statementsPerThousandRequests(),
        o.listingLoadsPerSecond(), percent(o.listingHitRatio()), o.load().p50(), o.load().p99(),
        o.load().requestsPerSecond(), o.load().non2xx(), o.load().errors(),
        o.cpuMillisPerThousandRequests(), percent(o.machine().busyShare()),
        o.machineCpuMillisPerThousandRequests(), o.loadAverage()));
  }

  static String met(boolean met) {
    return met ? "met" : "not met";
  }

  private static String percent(double ratio) {
    return format("%.2f%%", 100 * ratio);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
