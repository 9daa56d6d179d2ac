package io.nearcache.jmh.report;

import io.nearcache.jmh.report.Report.Result;
import java.awt.Color;
import java.io.File;
import java.text.DecimalFormat;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** The L1 hit throughput of every contender at each thread count, as a bar chart, log scale. */
final class ThroughputChart {
  private static final Map<String, String> LABELS = Map.of(
      "caffeineGetIfPresent", "raw Caffeine getIfPresent",
      "caffeineTickedGetIfPresent", "raw Caffeine, maintenance as nearcache's",
      "nearcacheGet", "nearcache get(key, loader)",
      "nearcacheGetNoStats", "nearcache get, recordStats=false",
      "redissonLocalCachedMapGet", "Redisson RLocalCachedMap.get",
      "jedisClientSideCacheGet", "Jedis client-side cache GET + decode");

  private ThroughputChart() {}

  static void write(List<Result> results, File png) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Result r : results) {
      if (r.type().equals("L1HitBenchmark")) {
        data.addValue(r.score(), r.threads() + (r.threads() == 1 ? " thread" : " threads"),
            LABELS.getOrDefault(r.method(), r.method()));
      }
    }
    JFreeChart chart = ChartFactory.createBarChart("L1 hit throughput (one run, higher is better)",
        null, "operations per millisecond (log scale)", data, PlotOrientation.HORIZONTAL, true,
        false, false);
    CategoryPlot plot = chart.getCategoryPlot();
    LogAxis axis = new LogAxis("operations per millisecond (log scale)");
    axis.setSmallestValue(10);
    axis.setUpperMargin(0.12); // room for the largest bar's label
    axis.setBase(10);
    axis.setTickUnit(new NumberTickUnit(1));
    axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
    plot.setRangeAxis(axis);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0")));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setSeriesPaint(0, new Color(0x2b6cb0));
    renderer.setSeriesPaint(1, new Color(0xdd6b20));
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png, chart, 1000, 520);
  }
}
