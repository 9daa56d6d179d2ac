package io.nearcache.examples.catalog.bench;

import java.util.Locale;

/**
 * The mixed runs' section of {@code RESULTS.md}: the read-only {@code near} run and the two runs
 * with price updates ({@code near}, which invalidates by tag, and {@code near-all}), one row each,
 * then their ratios and whether the goals are met.
 */
final class MixedReport {
  /** near-all's statements a second over near's: at least this. */
  static final double STATEMENTS_GOAL = 10;
  /** near's p99 with updates over its p99 without: at most this. */
  static final double P99_GOAL = 1.2;

  private final MixedRun.Outcome readOnly;
  private final MixedRun.Outcome tags;
  private final MixedRun.Outcome all;
  private final int connections;
  private final int updatesPerSecond;
  private final String duration;

  /**
   * @param connections autocannon's connections
   * @param updatesPerSecond the rate the runs with updates were given
   * @param duration autocannon's budget, {@code duration=20s}
   */
  MixedReport(MixedRun.Outcome readOnly, MixedRun.Outcome tags, MixedRun.Outcome all,
      int connections, int updatesPerSecond, String duration) {
    this.readOnly = readOnly;
    this.tags = tags;
    this.all = all;
    this.connections = connections;
    this.updatesPerSecond = updatesPerSecond;
    this.duration = duration;
  }

  /** The section, in Markdown, from its heading on. */
  String markdown() {
    StringBuilder md = new StringBuilder("\n## Price updates under the read load\n\n");
    md.append(format("Three runs of %s each, each on a node of its own, filled and warmed as"
        + " above, under the same autocannon load (%d connections over the storefront"
        + " listings). In two of them a scheduler thread also POSTs %d price updates a second to"
        + " the node (`/admin/products/{id}/price`), of random products among the %,d that the"
        + " listings show, the same sequence in both: `near` invalidates the product and the"
        + " listings showing it (`invalidateTag(\"p\" + id)`), `near-all` the product and every"
        + " listing (`invalidateAll()`, the mode before tags). DB statements: every statement"
        + " `CatalogStore` sent to the database (the loads' SELECTs and the updates' UPDATEs),"
        + " counted by the store. Listing loads: the listing cache's loader calls. Listing L1 hit"
        + " ratio: the node's listing cache's `l1Hits / l1Requests`. All three over the run, from"
        + " a snapshot before autocannon and the updates started to one after both stopped.%n%n",
        duration.replace("duration=", ""), connections, updatesPerSecond,
        tags.listedProducts()));
    md.append("| run | price updates/s | DB statements/s | DB statements / 1k requests"
        + " | listing loads/s | listing L1 hit ratio | p50 (ms) | p99 (ms) | requests/s"
        + " | non-2xx / errors | JVM CPU ms / 1k requests | load average at end |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    row(md, "near, read only", readOnly);
    row(md, "near (tags), with updates", tags);
    row(md, "near-all (invalidateAll), with updates", all);
    md.append(format("%nJVM CPU: the process of the node (with the updates' client and this"
        + " bench), not autocannon, PostgreSQL or Redis. The load average shows other work on the"
        + " machine's %d cores at each run's end: the ratios below come from one run each and"
        + " carry that noise.%n", Runtime.getRuntime().availableProcessors()));
    double fewer = all.statementsPerSecond() / tags.statementsPerSecond();
    double p99 = tags.load().p99() / readOnly.load().p99();
    md.append(format("%nRatios (one run each):%n%n"
            + "- near-all over near (tags): DB statements a second %.1fx, per request %.1fx,"
            + " listing loads %.1fx, p50 %.2fx, p99 %.2fx, requests/s %.2fx; listing L1 hit ratio"
            + " %s against %s.%n"
            + "- near (tags) with updates over near read only: p50 %.2fx, p99 %.2fx,"
            + " requests/s %.2fx; DB statements %,.0f/s against %,.0f/s.%n%n",
        fewer, all.statementsPerThousandRequests() / tags.statementsPerThousandRequests(),
        all.listingLoadsPerSecond() / tags.listingLoadsPerSecond(),
        all.load().p50() / tags.load().p50(), all.load().p99() / tags.load().p99(),
        all.load().requestsPerSecond() / tags.load().requestsPerSecond(),
        percent(all.listingHitRatio()), percent(tags.listingHitRatio()),
        tags.load().p50() / readOnly.load().p50(), p99,
        tags.load().requestsPerSecond() / readOnly.load().requestsPerSecond(),
        tags.statementsPerSecond(), readOnly.statementsPerSecond()));
    md.append(format("Goals:%n%n"
            + "- DB statements of near (tags) at least %.0fx fewer than near-all's: %.1fx fewer,"
            + " **%s**.%n"
            + "- p99 of near (tags) with updates within %.1fx of the read-only near run's: %.2fx,"
            + " **%s**.%n",
        STATEMENTS_GOAL, fewer, met(fewer >= STATEMENTS_GOAL), P99_GOAL, p99,
        met(p99 <= P99_GOAL)));
    return md.toString();
  }

  private static void row(StringBuilder md, String run, MixedRun.Outcome o) {
    md.append(format(
        "| %s | %.1f | %,.0f | %,.1f | %,.1f | %s | %,.1f | %,.1f | %,.0f | %d / %d | %,.0f"
            + " | %.1f |%n", run,
        o.updatesPerSecond(), o.statementsPerSecond(), o.statementsPerThousandRequests(),
        o.listingLoadsPerSecond(), percent(o.listingHitRatio()), o.load().p50(), o.load().p99(),
        o.load().requestsPerSecond(), o.load().non2xx(), o.load().errors(),
        o.cpuMillisPerThousandRequests(), o.loadAverage()));
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
