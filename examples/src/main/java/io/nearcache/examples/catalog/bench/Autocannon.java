package io.nearcache.examples.catalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@code examples/catalog/load.js} (autocannon, installed by {@code bench.sh}) against one
 * node and reads its JSON result.
 */
final class Autocannon {
  private final Path catalogDir;
  private final Path paths;

  /**
   * @param catalogDir {@code examples/catalog}, holding {@code load.js} and {@code node_modules}
   * @param paths the file of request paths, one per line
   */
  Autocannon(Path catalogDir, Path paths) {
    this.catalogDir = catalogDir;
    this.paths = paths;
  }

  /** Starts a run of {@code budget} ({@code 10000}, or {@code duration=20s}) on {@code port}. */
  Process start(int port, int connections, String budget, Path output) throws IOException {
    return new ProcessBuilder("node", "load.js", "http://127.0.0.1:" + port,
        paths.toAbsolutePath().toString(), Integer.toString(connections), budget)
        .directory(catalogDir.toFile())
        .redirectOutput(output.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** Runs to the end and returns the result. */
  Result run(int port, int connections, String budget, Path output)
      throws IOException, InterruptedException {
    return finish(start(port, connections, budget, output), output);
  }

  /** Waits for {@code process} and reads what it wrote to {@code output}. */
  static Result finish(Process process, Path output) throws IOException, InterruptedException {
    if (process.waitFor() != 0) {
      throw new IOException("autocannon exited with " + process.exitValue());
    }
    return Result.of(new ObjectMapper().readTree(Files.readAllBytes(output)));
  }

  /**
   * What the seed's table shows, in milliseconds, plus throughput and failures. Requests a second
   * are the responses over the run's duration (good to 10 ms, as {@code load.js} samples): the
   * mean of autocannon's per-second samples says little of a run of one or two seconds.
   */
  record Result(double p2_5, double p50, double p97_5, double p99, double avg, double stdev,
      double max, double requestsPerSecond, long total, long non2xx, long errors) {

    static Result of(JsonNode r) {
      JsonNode l = r.get("latency");
      return new Result(l.get("p2_5").asDouble(), l.get("p50").asDouble(),
          l.get("p97_5").asDouble(), l.get("p99").asDouble(), l.get("average").asDouble(),
          l.get("stddev").asDouble(), l.get("max").asDouble(),
          r.get("requests").get("total").asDouble() / r.get("duration").asDouble(),
          r.get("requests").get("total").asLong(),
          r.get("non2xx").asLong(), r.get("errors").asLong());
    }

    /** The latency rows of the seed's table, in its order. */
    List<Double> latencies() {
      return List.of(p2_5, p50, p97_5, p99, avg, stdev, max);
    }
  }
}
