package io.nearcache.examples.catalog.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.nearcache.examples.catalog.CatalogServer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's floor: the nodes' HTTP server, set up as they are and on as many worker threads,
 * answering every request with one fixed page and doing nothing else. No cache can answer faster
 * than this on the same server, so its latency under autocannon is what the load generator and
 * the server's own I/O cost on this machine.
 */
final class FloorServer implements AutoCloseable {
  private final HttpServer http;
  private final ExecutorService workers;

  private FloorServer(HttpServer http, ExecutorService workers) {
    this.http = http;
    this.workers = workers;
  }

  /** Starts on a free port, answering {@code page} as JSON to every request. */
  static FloorServer start(byte[] page, int threads) throws IOException {
    HttpServer http = CatalogServer.listen(0);
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    http.createContext("/", exchange -> answer(exchange, page));
    http.setExecutor(workers);
    http.start();
    return new FloorServer(http, workers);
  }

  private static void answer(HttpExchange exchange, byte[] page) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, page.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(page);
    }
  }

  int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() throws InterruptedException {
    http.stop(1);
    workers.shutdown();
    workers.awaitTermination(5, TimeUnit.SECONDS);
  }
}
