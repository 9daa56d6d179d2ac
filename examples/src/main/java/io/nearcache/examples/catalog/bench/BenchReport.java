package io.nearcache.examples.catalog.bench;

import io.nearcache.examples.catalog.CatalogServer.Mode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The seed's latency table for the three modes and the floor, the consistency figures and their
 * goal, a bar chart, and the mixed runs' section ({@link MixedReport}).
 */
final class BenchReport {
  private static final List<String> STATS =
      List.of("2.5%", "50%", "97.5%", "99%", "Avg", "Stdev", "Max");
  /** The time until node B serves a new price: its p99 at most this, in milliseconds. */
  private static final double CONSISTENCY_P99_GOAL_MS = 50;

  private BenchReport() {}

  static void write(Path dir, Map<Mode, Autocannon.Result> results, Autocannon.Result floor,
      MixedReport mixed, ConsistencyRun.Outcome consistency, String database, int products,
      int connections, String requests, int consistencyConnections) throws IOException {
    Autocannon.Result none = results.get(Mode.NONE);
    Autocannon.Result redis = results.get(Mode.REDIS);
    Autocannon.Result near = results.get(Mode.NEAR);
    StringBuilder md = new StringBuilder("# Catalog benchmark\n\n")
        .append(String.format(Locale.ROOT, "One run of `examples/catalog/bench.sh` on %s: JDK %s,"
            + " %d cores, database %s, %,d products. autocannon: %d connections, %s requests of"
            + " `/store/products` over %d storefront listings.%n%n", LocalDate.now(),
            System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
            database, products, connections, requests, StorefrontPaths.weighted().stream()
                .distinct().count()))
        .append("| stat (ms) | none | redis | near | floor | near vs none | near vs redis |"
            + " floor vs none |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < STATS.size(); i++) {
      double n = none.latencies().get(i);
      double r = redis.latencies().get(i);
      double c = near.latencies().get(i);
      double f = floor.latencies().get(i);
      md.append(String.format(Locale.ROOT,
          "| %s | %,.0f | %,.0f | %,.1f | %,.1f | %s | %s | %s |%n", STATS.get(i), n, r, c, f,
          faster(n, c), faster(r, c), faster(n, f)));
    }
    md.append(String.format(Locale.ROOT,
        "| requests/s | %,.0f | %,.0f | %,.0f | %,.0f | %.1fx | %.1fx | %.1fx |%n",
        none.requestsPerSecond(), redis.requestsPerSecond(), near.requestsPerSecond(),
        floor.requestsPerSecond(), near.requestsPerSecond() / none.requestsPerSecond(),
        near.requestsPerSecond() / redis.requestsPerSecond(),
        floor.requestsPerSecond() / none.requestsPerSecond()));
    md.append(String.format(Locale.ROOT,
        "| non-2xx / errors | %d / %d | %d / %d | %d / %d | %d / %d | | | |%n", none.non2xx(),
        none.errors(), redis.non2xx(), redis.errors(), near.non2xx(), near.errors(),
        floor.non2xx(), floor.errors()));
    md.append(String.format(Locale.ROOT, "%nfloor: the same HTTP server, set up as the nodes and on"
        + " as many threads, answering every request with the home listing's page and doing"
        + " nothing else. No cache can answer faster on this server; its figures are what"
        + " autocannon and the server's I/O cost on these cores.%n"));
    md.append(String.format(Locale.ROOT, "%nConsistency: two `near` nodes (listings invalidated by"
            + " tag), %d price updates posted"
            + " to node A while autocannon read each node with %d connections. Time from node A"
            + " committing the new price until node B first served it (the nodes' own clocks; four"
            + " pollers read B): p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " never seen within 5 s: %d. Stale reads on B asked for after a poller had the new"
            + " price: %d of %d. Updates missing"
            + " from the database at the end: %d. Goal: p99 within %.0f ms, **%s**.%n%n"
            + "![latency](latency.png)%n",
        consistency.updates(), consistencyConnections, consistency.p50(), consistency.p99(),
        consistency.max(), consistency.neverSeen(), consistency.staleReads(),
        consistency.readsAfter(), consistency.lostUpdates(), CONSISTENCY_P99_GOAL_MS,
        MixedReport.met(consistency.p99() <= CONSISTENCY_P99_GOAL_MS)));
    md.append(mixed.markdown());
    Files.writeString(dir.resolve("RESULTS.md"), md);
    chart(results, floor, dir.resolve("latency.png"));
  }

  /** "97.0% faster" or "12.5% slower": {@code after} against {@code before}. */
  private static String faster(double before, double after) {
    double saved = 100 * (before - after) / before;
    return String.format(Locale.ROOT, saved < 0 ? "%.1f%% slower" : "%.1f%% faster",
        Math.abs(saved));
  }

  private static void chart(Map<Mode, Autocannon.Result> results, Autocannon.Result floor,
      Path png) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    results.forEach((mode, r) -> addSeries(data, mode.toString(), r));
    addSeries(data, "floor", floor);
    JFreeChart chart = ChartFactory.createBarChart(
        "GET /store/products latency under autocannon (one run, lower is better)", null,
        "milliseconds (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    LogAxis axis = new LogAxis("milliseconds (log scale)");
    axis.setSmallestValue(0.1);
    axis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
    plot.setRangeAxis(axis);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer bars = (BarRenderer) plot.getRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.#")));
    bars.setDefaultItemLabelsVisible(true);
    bars.setSeriesPaint(0, new Color(0x718096));
    bars.setSeriesPaint(1, new Color(0xdd6b20));
    bars.setSeriesPaint(2, new Color(0x2b6cb0));
    bars.setSeriesPaint(3, new Color(0x38a169));
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 520);
  }

  private static void addSeries(DefaultCategoryDataset data, String name, Autocannon.Result r) {
    for (int i = 0; i < STATS.size(); i++) {
      if (!STATS.get(i).equals("Stdev")) {
        data.addValue(Math.max(r.latencies().get(i), 0.1), name, STATS.get(i));
      }
    }
  }
}
