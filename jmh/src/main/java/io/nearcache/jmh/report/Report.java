package io.nearcache.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns one run's JMH JSON files and the JSON of the harnesses beside them (propagation, fan-out,
 * idle, footprint, miss profile) into {@code RESULTS.md} (every benchmark with its score, error and
 * ratio to the baseline measured in the same run, then the targets, met or missed) and
 * {@code throughput.png}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.report.Report <raw dir> <out dir>
 * <redis version>}. Exits with status 1, after writing what it has, when a benchmark of the suite
 * has no result: a benchmark that failed must not vanish from the table unnoticed.
 */
public final class Report {
  /** Each benchmark class's baseline method; serializers compare with Kryo instead. */
  static final Map<String, String> BASELINES = Map.of(
      "L1HitBenchmark", "caffeineGetIfPresent",
      "L2HitBenchmark", "rawJedisGetAndDecode",
      "MissFillBenchmark", "rawJedisCacheAside",
      "MissFillAllBenchmark", "rawJedisCacheAside",
      "PutBenchmark", "rawJedisSet",
      "GetAllBenchmark", "rawJedisGets");

  /** Every benchmark the suite publishes, by class. */
  static final Map<String, List<String>> SUITE = Map.of(
      "L1HitBenchmark", List.of("caffeineGetIfPresent", "caffeineTickedGetIfPresent",
          "nearcacheGet", "nearcacheGetNoStats", "redissonLocalCachedMapGet",
          "jedisClientSideCacheGet"),
      "L2HitBenchmark", List.of("rawJedisGetAndDecode", "nearcacheGet"),
      "MissFillBenchmark", List.of("rawJedisCacheAside", "nearcacheGet"),
      "MissFillAllBenchmark", List.of("rawJedisCacheAside", "nearcacheGetAll"),
      "PutBenchmark", List.of("rawJedisSet", "nearcachePut"),
      "GetAllBenchmark", List.of("rawJedisGets", "nearcacheGetAll"),
      "SerializerBenchmark", List.of("encode", "decode"));

  /**
   * The benchmark measured once per {@code deployment} parameter, by class; each deployment's row
   * must be present, and a {@code cluster} row is compared with its {@code standalone} twin.
   */
  static final Map<String, String> PER_DEPLOYMENT = Map.of("L2HitBenchmark", "nearcacheGet");

  /** The values of the {@code deployment} parameter, the baseline first. */
  static final List<String> DEPLOYMENTS = List.of("standalone", "cluster");

  /** The propagation harness's systems, by JSON key. */
  static final List<String> PROPAGATION = List.of("nearcache", "nearcacheCluster", "redisson");

  private Report() {}

  public static void main(String[] args) throws IOException {
    Path raw = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String redis = args.length > 2 ? args[2] : "unknown";
    ObjectMapper json = new ObjectMapper();
    Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
    JsonNode propagation = null;
    JsonNode fanOut = null;
    JsonNode idle = null;
    JsonNode footprint = null;
    JsonNode missProfile = null;
    try (Stream<Path> files = Files.list(raw)) {
      for (Path file : files.sorted().toList()) {
        JsonNode root = json.readTree(file.toFile());
        if (root.isArray()) {
          root.forEach(node -> runs.computeIfAbsent(Result.identity(node),
              identity -> new ArrayList<>()).add(node));
        } else if (root.has("cacheAside")) {
          missProfile = root; // before propagation's test: it has a "nearcache" field too
        } else if (root.has("nearcache")) {
          propagation = root;
        } else if (root.has("fanOut")) {
          fanOut = root;
        } else if (root.has("idleClientCoreShare")) {
          idle = root;
        } else if (root.has("caffeineCountBytesPerEntry")) {
          footprint = root;
        }
      }
    }
    List<Result> results = new ArrayList<>();
    runs.values().forEach(forks -> results.add(Result.of(forks)));
    results.sort(Comparator.comparing(Result::order));
    List<String> missing = missing(results, propagation, fanOut);
    if (idle == null) {
      missing.add("IdleCpu");
    }
    if (footprint == null) {
      missing.add("L1Footprint");
    }
    if (missProfile == null) {
      missing.add("MissProfile");
    }
    Files.createDirectories(out);
    String markdown = new Markdown(results, new Markdown.Harnesses(propagation, fanOut, idle,
        footprint, missProfile), missing, environment(raw, json, redis)).render();
    Files.writeString(out.resolve("RESULTS.md"), markdown, StandardCharsets.UTF_8);
    ThroughputChart.write(results, out.resolve("throughput.png").toFile());
    System.out.print(markdown);
    if (!missing.isEmpty()) {
      System.err.println("missing results: " + missing);
      System.exit(1);
    }
  }

  private static List<String> missing(List<Result> results, JsonNode propagation,
      JsonNode fanOut) {
    List<String> missing = new ArrayList<>();
    SUITE.forEach((type, methods) -> methods.forEach(method -> {
      List<String> deployments = method.equals(PER_DEPLOYMENT.get(type)) ? DEPLOYMENTS
          : Collections.singletonList(null);
      for (int threads : type.equals("L1HitBenchmark") ? new int[] {1, 2} : new int[] {1}) {
        for (String deployment : deployments) {
          if (results.stream().noneMatch(r -> r.type().equals(type)
              && r.method().equals(method) && r.threads() == threads
              && (deployment == null
                  || deployment.equals(r.params().getOrDefault("deployment", "standalone"))))) {
            missing.add(type + "." + method + (deployment == null ? "" : " " + deployment)
                + " (" + threads + " thread(s))");
          }
        }
      }
    }));
    if (propagation == null) {
      missing.add("Propagation");
    } else {
      PROPAGATION.stream().filter(system -> !propagation.has(system))
          .forEach(system -> missing.add("Propagation " + system));
    }
    if (fanOut == null) {
      missing.add("FanOut");
    }
    return missing;
  }

  /** Date, JDK, machine, Redis and JMH profile of the run, for the report's first line. */
  private static String environment(Path raw, ObjectMapper json, String redis)
      throws IOException {
    JsonNode first;
    try (Stream<Path> files = Files.list(raw)) {
      File file = files.filter(p -> p.getFileName().toString().startsWith("l1")).sorted()
          .findFirst().orElseThrow(() -> new IOException("no L1 results in " + raw)).toFile();
      first = json.readTree(file).get(0);
    }
    long memoryGib = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 30;
    return String.format(Locale.ROOT, "%s · JDK %s (%s) · %d cores, %d GiB · %s · %s · JMH %s",
        LocalDate.now(), first.get("jdkVersion").asText(), first.get("vmName").asText(),
        Runtime.getRuntime().availableProcessors(), memoryGib, cpuModel(), redis,
        first.get("jmhVersion").asText());
  }

  private static String cpuModel() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.exists(cpuinfo)) {
      return System.getProperty("os.arch");
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
    }
  }

  /**
   * One benchmark's result.
   *
   * @param type the benchmark class' simple name
   * @param params JMH parameters, sorted by name
   * @param error half-width of JMH's 99.9% confidence interval
   * @param encodedBytes bytes per operation, for serializers; NaN otherwise
   * @param forks each fork's mean score, in the order the forks ran
   * @param interleaved whether each fork was a run of its own, interleaved with its baseline's
   */
  record Result(String type, String method, int threads, String mode,
      Map<String, String> params, double score, double error, String unit,
      double encodedBytes, List<Double> forks, boolean interleaved) {

    /** What tells one benchmark's results apart: its name, threads and parameters. */
    static String identity(JsonNode node) {
      return node.get("benchmark").asText() + ' ' + node.get("threads").asInt() + ' '
          + node.path("params");
    }

    /**
     * One benchmark from the JMH results of its runs, in the order they ran: one run with all its
     * forks, or (as run.sh interleaves the miss benchmarks) one run per fork. The iterations of
     * every fork are pooled as JMH pools a run's forks: the score is their mean, the error the
     * half-width of their 99.9% confidence interval (Student's t).
     */
    static Result of(List<JsonNode> runs) {
      JsonNode node = runs.get(0);
      String[] parts = node.get("benchmark").asText().split("\\.");
      Map<String, String> params = new TreeMap<>();
      if (node.has("params")) {
        node.get("params").fields().forEachRemaining(e -> params.put(e.getKey(),
            e.getValue().asText()));
      }
      List<Double> forks = new ArrayList<>();
      SummaryStatistics iterations = new SummaryStatistics();
      for (JsonNode run : runs) {
        for (JsonNode fork : run.get("primaryMetric").get("rawData")) {
          SummaryStatistics one = new SummaryStatistics();
          fork.forEach(iteration -> one.addValue(iteration.asDouble()));
          fork.forEach(iteration -> iterations.addValue(iteration.asDouble()));
          forks.add(one.getMean());
        }
      }
      JsonNode primary = node.get("primaryMetric");
      double score = runs.size() == 1 ? primary.get("score").asDouble() : iterations.getMean();
      double error = runs.size() == 1 ? primary.get("scoreError").asDouble()
          : new TDistribution(iterations.getN() - 1).inverseCumulativeProbability(0.9995)
              * iterations.getStandardDeviation() / Math.sqrt(iterations.getN());
      JsonNode bytes = node.path("secondaryMetrics").path("encodedBytes").path("score");
      return new Result(parts[parts.length - 2], parts[parts.length - 1],
          node.get("threads").asInt(), node.get("mode").asText(), params, score, error,
          primary.get("scoreUnit").asText(),
          bytes.isMissingNode() ? Double.NaN : bytes.asDouble() / score, List.copyOf(forks),
          runs.size() > 1);
    }

    /** Whether higher scores are better: throughput rather than time per operation. */
    boolean throughput() {
      return mode.equals("thrpt");
    }

    /**
     * The row this one is compared with, or null when it is a baseline itself: a serializer's
     * Kryo twin; a {@code cluster} row's {@code standalone} twin; else the class's baseline method
     * with the same parameters (but for {@code deployment}, which the baseline may not have).
     */
    Result baselineIn(List<Result> all) {
      boolean cluster = "cluster".equals(params.get("deployment"));
      return all.stream().filter(r -> r != this && r.type.equals(type) && r.threads == threads)
          .filter(r -> type.equals("SerializerBenchmark")
              ? r.method.equals(method) && "kryo".equals(r.params.get("format"))
                  && !"kryo".equals(params.get("format"))
              : cluster
                  ? r.method.equals(method) && r.params.equals(with("deployment", "standalone"))
                  : r.method.equals(BASELINES.get(type))
                      && r.with("deployment", null).equals(with("deployment", null)))
          .findFirst().orElse(null);
    }

    /** This row's parameters with {@code name} set to {@code value}, or removed if it is null. */
    Map<String, String> with(String name, String value) {
      Map<String, String> copy = new TreeMap<>(params);
      if (value == null) {
        copy.remove(name);
      } else {
        copy.put(name, value);
      }
      return copy;
    }

    String order() {
      List<String> classes = List.of("L1HitBenchmark", "L2HitBenchmark", "MissFillBenchmark",
          "MissFillAllBenchmark", "PutBenchmark", "GetAllBenchmark", "SerializerBenchmark");
      int rank = SUITE.get(type) == null ? 99 : SUITE.get(type).indexOf(method);
      return String.format(Locale.ROOT, "%d-%d-%02d-%s", classes.indexOf(type), threads, rank,
          "jackson".equals(params.get("format")) || "cluster".equals(params.get("deployment"))
              ? "1" : "0");
    }
  }
}
