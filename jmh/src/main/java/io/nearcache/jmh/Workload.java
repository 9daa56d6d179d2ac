package io.nearcache.jmh;

import io.nearcache.serializers.KryoSerializer;
import io.nearcache.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What every benchmark reads: {@code workingSet} products under keys {@code product:<i>}, and a
 * Redis. The Redis is a testkit {@code redis-server} started for the trial on a free loopback
 * port, or the one {@code REDIS_URL} names; there, every key written lives under a prefix unique
 * to the trial and is deleted at its end (never FLUSHALL).
 */
@State(Scope.Benchmark)
public class Workload {
  /** nearcache's frame byte of a value. */
  private static final byte VALUE_FRAME = 0x01;

  /** Distinct keys read, uniformly at random. */
  @Param("10000")
  public int workingSet;

  /** Characters of description added to each product (0: the ten-field product as it is). */
  @Param("0")
  public int valueSize;

  /** The Kryo serializer every benchmark encodes products with, raw baselines included. */
  public final KryoSerializer<Product> kryo = new KryoSerializer<>(Product.class);

  /** A key prefix unique to this trial. */
  public final String prefix = "jmh" + UUID.randomUUID().toString().substring(0, 8);

  public String[] keys;
  public String redisUri;
  private RedisServer server;

  @Setup(Level.Trial)
  public void setUp() {
    keys = new String[workingSet];
    for (int i = 0; i < workingSet; i++) {
      keys[i] = "product:" + i;
    }
    redisUri = System.getenv("REDIS_URL");
    if (redisUri == null) {
      server = RedisServer.start();
      redisUri = server.uri();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (server != null) {
      server.close();
      return;
    }
    try (RedisClient jedis = RedisClient.create(java.net.URI.create(redisUri))) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams match = new ScanParams().match("*" + prefix + "*").count(1000);
      do {
        ScanResult<String> page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          jedis.del(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
  }

  /** The product behind key {@code i}. */
  public Product product(int i) {
    return Product.number(i, valueSize);
  }

  /** The index of a key drawn uniformly from the working set. */
  public int anyIndex() {
    return ThreadLocalRandom.current().nextInt(workingSet);
  }

  /** A key drawn uniformly from the working set. */
  public String anyKey() {
    return keys[anyIndex()];
  }

  /**
   * The bytes nearcache stores in Redis for {@code product}, encoded now as a write or a load
   * does: its frame byte of a value (see {@code io.nearcache.internal.l2.Frame}), then the Kryo
   * encoding.
   */
  public byte[] valueFrame(Product product) {
    byte[] payload = kryo.serialize(product);
    byte[] frame = new byte[payload.length + 1];
    frame[0] = VALUE_FRAME;
    System.arraycopy(payload, 0, frame, 1, payload.length);
    return frame;
  }

  /** {@code key} as raw-Jedis baselines store it: under this trial's prefix. */
  public byte[] rawKey(String key) {
    return (prefix + ":raw:" + key).getBytes(StandardCharsets.UTF_8);
  }
}
