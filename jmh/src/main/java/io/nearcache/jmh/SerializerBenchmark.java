package io.nearcache.jmh;

import io.nearcache.Serializer;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.serializers.KryoSerializer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding one product with each serializer. The bytes each operation writes or reads
 * are counted in the secondary result {@code encodedBytes}, a rate like the score: divided by the
 * score it is the encoded size, which the report shows beside the speed.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SerializerBenchmark {
  @Param({"kryo", "jackson"})
  String format;

  @Param("0")
  int valueSize;

  private Serializer<Product> serializer;
  private Product product;
  private byte[] encoded;

  @Setup(Level.Trial)
  public void setUp() {
    serializer = format.equals("kryo") ? new KryoSerializer<>(Product.class)
        : new JacksonJsonSerializer<>(Product.class);
    product = Product.number(4242, valueSize);
    encoded = serializer.serialize(product);
    if (!serializer.deserialize(encoded).equals(product)) {
      throw new IllegalStateException(format + " does not round-trip the product");
    }
  }

  @Benchmark
  public byte[] encode(Size size) {
    byte[] bytes = serializer.serialize(product);
    size.encodedBytes += bytes.length;
    return bytes;
  }

  @Benchmark
  public Product decode(Size size) {
    size.encodedBytes += encoded.length;
    return serializer.deserialize(encoded);
  }

  /** Bytes handled, reported per unit of time as the score is. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Size {
    public long encodedBytes;

    @Setup(Level.Iteration)
    public void reset() {
      encodedBytes = 0;
    }
  }
}
