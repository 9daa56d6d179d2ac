package io.nearcache.examples.catalog.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nearcache.examples.catalog.CatalogServer;
import io.nearcache.examples.catalog.CatalogServer.Mode;
import io.nearcache.examples.catalog.CatalogStore;
import io.nearcache.examples.catalog.Database;
import io.nearcache.examples.catalog.ListingQuery;
import io.nearcache.examples.catalog.Seeder;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.testkit.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's benchmark, reproduced: the catalog service in modes {@code none}, {@code redis} and
 * {@code near} under autocannon (500 connections, 10,000 listing requests), the same load on the
 * {@link FloorServer}; then the mixed runs, the same load for a fixed duration in rounds of {@code
 * near} alone and {@code near} with a stream of price updates, then {@code near-all} with the same
 * updates ({@link MixedRun}); then the consistency run (two {@code near} nodes, price updates
 * posted to one while autocannon reads both). Writes {@code RESULTS.md}, {@code latency.png}, the
 * raw autocannon JSON and the mixed runs' counters to the results directory. {@code bench.sh} runs
 * it.
 *
 * <p>Usage: {@code CatalogBench <catalog dir> <results dir> [jdbc url]}; without a JDBC URL the
 * embedded H2 is used, and the report says so.
 */
public final class CatalogBench {
  private static final Logger log = LoggerFactory.getLogger(CatalogBench.class);
  private static final int PRODUCTS = 10_000;
  private static final int CONNECTIONS = 500;
  private static final String REQUESTS = "10000";
  private static final String WARMUP = "3000";
  private static final int WORKERS = 64;
  private static final int DB_POOL = 16;
  private static final int UPDATES = 200;
  private static final int CONSISTENCY_CONNECTIONS = 50;
  /** The modes of the seed's table; near-all reads as near does until a price changes. */
  private static final List<Mode> MODES = List.of(Mode.NONE, Mode.REDIS, Mode.NEAR);
  private static final String MIXED_DURATION = "duration=20s";
  private static final int UPDATES_PER_SECOND = 20;
  /**
   * Rounds of a read-only run and a run with updates: one pair's p99 ratio swung from 1.01x to
   * 1.87x between runs of the day, with the read-only run's own throughput moving by half.
   */
  private static final int MIXED_ROUNDS = 3;

  private CatalogBench() {}

  public static void main(String[] args) throws Exception {
    Path catalogDir = Path.of(args[0]);
    Path results = Path.of(args[1]);
    String jdbc = args.length > 2 ? args[2] : null;
    Path raw = Files.createDirectories(results.resolve("raw"));
    Path paths = raw.resolve("paths.txt");
    List<String> storefront = StorefrontPaths.weighted();
    Files.write(paths, storefront);
    Autocannon autocannon = new Autocannon(catalogDir, paths);
    Map<Mode, Autocannon.Result> byMode = new EnumMap<>(Mode.class);
    Autocannon.Result floor;
    MixedReport mixed;
    ConsistencyRun.Outcome consistency;
    try (Database db = Database.open(jdbc, DB_POOL); RedisServer redis = RedisServer.start()) {
      Seeder.seed(db.dataSource(), PRODUCTS);
      CatalogStore store = new CatalogStore(db.dataSource());
      for (Mode mode : MODES) {
        try (CatalogServer node = CatalogServer.start(mode, 0, store, redis.uri(), mode.toString(),
            WORKERS)) {
          warm(node, autocannon, storefront, raw.resolve("warmup-" + mode + ".json"));
          Autocannon.Result result = autocannon.run(node.port(), CONNECTIONS, REQUESTS,
              raw.resolve(mode + ".json"));
          log.info("{}: {}", mode, result);
          byMode.put(mode, result);
        }
        redis.flushAll();
      }
      // The floor: the same server answering the home listing's page without any work.
      byte[] page = JacksonJsonSerializer.defaultMapper().writeValueAsBytes(
          store.listAndCount(new ListingQuery(ListingQuery.DEFAULT_LIMIT, 0, null, null)));
      try (FloorServer server = FloorServer.start(page, WORKERS)) {
        autocannon.run(server.port(), 100, WARMUP, raw.resolve("warmup-floor.json"));
        floor = autocannon.run(server.port(), CONNECTIONS, REQUESTS, raw.resolve("floor.json"));
        log.info("floor: {}", floor);
      }
      MixedRun mixedRun = new MixedRun(autocannon, CONNECTIONS, MIXED_DURATION, raw);
      List<MixedRun.Outcome> readOnly = new ArrayList<>();
      List<MixedRun.Outcome> tags = new ArrayList<>();
      for (int round = 1; round <= MIXED_ROUNDS; round++) {
        readOnly.add(mixed(mixedRun, Mode.NEAR, "near-read-only-" + round, 0, store, redis,
            autocannon, storefront, raw));
        tags.add(mixed(mixedRun, Mode.NEAR, "near-" + round, UPDATES_PER_SECOND, store, redis,
            autocannon, storefront, raw));
      }
      MixedRun.Outcome all = mixed(mixedRun, Mode.NEAR_ALL, "near-all", UPDATES_PER_SECOND,
          store, redis, autocannon, storefront, raw);
      mixed = new MixedReport(readOnly, tags, all, CONNECTIONS, UPDATES_PER_SECOND,
          MIXED_DURATION);
      Seeder.seed(db.dataSource(), PRODUCTS); // fresh prices for the consistency run
      try (CatalogServer a = CatalogServer.start(Mode.NEAR, 0, store, redis.uri(), "a", WORKERS);
          CatalogServer b = CatalogServer.start(Mode.NEAR, 0, store, redis.uri(), "b", WORKERS)) {
        Process loadA = autocannon.start(a.port(), CONSISTENCY_CONNECTIONS, "duration=600s",
            raw.resolve("consistency-load-a.json"));
        Process loadB = autocannon.start(b.port(), CONSISTENCY_CONNECTIONS, "duration=600s",
            raw.resolve("consistency-load-b.json"));
        try (ConsistencyRun run = new ConsistencyRun()) {
          consistency = run.run(a.port(), b.port(), store, UPDATES);
        } finally {
          loadA.destroy();
          loadB.destroy();
          loadA.waitFor();
          loadB.waitFor();
        }
      }
      log.info("consistency: {}", consistency);
      String database = db.embedded() ? "embedded H2 (PostgreSQL mode): no JDBC URL was given"
          : "PostgreSQL at " + jdbc.replaceAll("\\?.*", "");
      BenchReport.write(results, byMode, floor, mixed, consistency, database, PRODUCTS,
          CONNECTIONS, REQUESTS, CONSISTENCY_CONNECTIONS);
    }
  }

  /**
   * One mixed run on a node of its own in {@code mode}, warmed first; Redis is emptied after, as
   * after every mode.
   */
  private static MixedRun.Outcome mixed(MixedRun run, Mode mode, String name,
      int updatesPerSecond, CatalogStore store, RedisServer redis, Autocannon autocannon,
      List<String> storefront, Path raw) throws IOException, InterruptedException {
    try (CatalogServer node = CatalogServer.start(mode, 0, store, redis.uri(), name, WORKERS)) {
      List<Long> listed = warm(node, autocannon, storefront,
          raw.resolve("warmup-mixed-" + name + ".json"));
      MixedRun.Outcome outcome = run.run(name, node, store, updatesPerSecond, listed);
      log.info("mixed {}: {}", name, outcome);
      return outcome;
    } finally {
      redis.flushAll();
    }
  }

  /**
   * Brings {@code node} to steady state, as a shop runs: every listing is asked for once, so that
   * the caches hold them all, then a warm-up run warms the JIT (and, for none, the database's
   * buffers).
   *
   * @return the ids of the products the listings show, each once, in the order first shown
   */
  private static List<Long> warm(CatalogServer node, Autocannon autocannon,
      List<String> storefront, Path warmupOutput) throws IOException, InterruptedException {
    List<Long> listed = visitEachOnce(node.port(), storefront);
    autocannon.run(node.port(), 100, WARMUP, warmupOutput);
    return listed;
  }

  /**
   * GETs each distinct path once from the node on {@code port}, in turn.
   *
   * @return the ids of the products the answers show, each once, in the order first shown
   */
  private static List<Long> visitEachOnce(int port, List<String> paths)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    Set<Long> listed = new LinkedHashSet<>();
    for (String path : new LinkedHashSet<>(paths)) {
      HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + path)).build(), BodyHandlers.ofByteArray());
      if (answer.statusCode() != 200) {
        throw new IOException(path + " answered " + answer.statusCode());
      }
      json.readTree(answer.body()).get("products")
          .forEach(product -> listed.add(product.get("id").asLong()));
    }
    return List.copyOf(listed);
  }
}
