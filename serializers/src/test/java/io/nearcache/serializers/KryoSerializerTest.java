package io.nearcache.serializers;

import static io.nearcache.serializers.TestValues.UNICODE;
import static io.nearcache.serializers.TestValues.largeText;
import static io.nearcache.serializers.TestValues.product;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.SerializationException;
import io.nearcache.serializers.TestValues.Blob;
import io.nearcache.serializers.TestValues.Customer;
import io.nearcache.serializers.TestValues.Product;
import io.nearcache.serializers.TestValues.Tag;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KryoSerializerTest {

  private static KryoSerializer<Product> productSerializer(boolean compatibleFields) {
    return KryoSerializer.builder(Product.class)
        .register(Tag.class)
        .compatibleFields(compatibleFields)
        .build();
  }

  private static <T> T roundTrip(KryoSerializer<T> serializer, T value) {
    return serializer.deserialize(serializer.serialize(value));
  }

  @ParameterizedTest(name = "compatibleFields={0}")
  @ValueSource(booleans = {false, true})
  void roundTripsRecordWithNestedRecordsJavaTimeAndBigDecimal(boolean compatibleFields) {
    Product value = product(1);

    Product decoded = roundTrip(productSerializer(compatibleFields), value);

    assertThat(decoded).isEqualTo(value).isNotSameAs(value);
    assertThat(decoded.price()).hasToString("20.90");
    assertThat(decoded.reviewedAt().getZone()).hasToString("Europe/Paris");
  }

  @ParameterizedTest(name = "compatibleFields={0}")
  @ValueSource(booleans = {false, true})
  void roundTripsMutableClassWithNullField(boolean compatibleFields) {
    KryoSerializer<Customer> serializer =
        KryoSerializer.builder(Customer.class).compatibleFields(compatibleFields).build();
    Customer value = new Customer(7, "Zoë 😀", null, new ArrayList<>(List.of("vip", "東京")));

    Customer decoded = roundTrip(serializer, value);

    assertThat(decoded).isEqualTo(value);
    assertThat(decoded.getEmail()).isNull();
  }

  @Test
  void simpleConstructorHandlesValueOfJdkTypesOnly() {
    Customer value = new Customer(1, "a", "a@example.com", List.of("x", "y", "z"));

    assertThat(roundTrip(new KryoSerializer<>(Customer.class), value)).isEqualTo(value);
  }

  @Test
  void roundTripsMapAndListValuesWhoseClassesVary() {
    KryoSerializer<Map<String, List<Integer>>> maps =
        KryoSerializer.<Map<String, List<Integer>>>builder(Map.class).build();
    Map<String, List<Integer>> hashMap =
        new HashMap<>(Map.of("a", List.of(1, 2), "東京", new ArrayList<>(List.of(3))));

    assertThat(roundTrip(maps, hashMap)).isEqualTo(hashMap).isInstanceOf(HashMap.class);
    assertThat(roundTrip(maps, Map.of("k", List.of()))).isEqualTo(Map.of("k", List.of()));
    assertThat(roundTrip(maps, Map.of())).isEmpty();

    KryoSerializer<List<Product>> lists =
        KryoSerializer.<List<Product>>builder(List.class)
            .register(Product.class, Tag.class)
            .build();
    List<Product> products = List.of(product(1), product(2), product(3));

    assertThat(roundTrip(lists, products)).isEqualTo(products);
    assertThat(roundTrip(lists, new ArrayList<>(products))).isEqualTo(products);
  }

  @Test
  void roundTripsUnicode() {
    assertThat(roundTrip(new KryoSerializer<>(String.class), UNICODE)).isEqualTo(UNICODE);
    assertThat(roundTrip(new KryoSerializer<>(Tag.class), new Tag(UNICODE, 1)))
        .isEqualTo(new Tag(UNICODE, 1));
  }

  @Test
  void roundTripsValueOfSeveralMegabytes() {
    KryoSerializer<Blob> serializer = new KryoSerializer<>(Blob.class);
    Blob value = new Blob("big", largeText(5_000_000));

    byte[] bytes = serializer.serialize(value);

    assertThat(bytes.length).isGreaterThan(5_000_000);
    assertThat(serializer.deserialize(bytes)).isEqualTo(value);
  }

  @Test
  void refusesToSerializeUnregisteredClassAndSaysHowToRegisterIt() {
    KryoSerializer<Product> withoutTag = new KryoSerializer<>(Product.class);

    assertThatThrownBy(() -> withoutTag.serialize(product(1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("class " + Tag.class.getName() + " is not registered")
        .hasMessageContaining(
            "KryoSerializer.builder(io.nearcache.serializers.TestValues.Product.class)"
                + ".register(..., io.nearcache.serializers.TestValues.Tag.class)")
        .hasMessageContaining("same order")
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void refusesBytesThatUseClassIdsTheReaderDidNotRegister() {
    byte[] bytes = productSerializer(false).serialize(product(1));
    KryoSerializer<Product> withoutTag = new KryoSerializer<>(Product.class);

    assertThatThrownBy(() -> withoutTag.deserialize(bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("as a " + Product.class.getName())
        .hasMessageContaining("unregistered class ID: 101")
        .hasMessageContaining("{100=" + Product.class.getName() + "}")
        .hasMessageContaining("same classes in the same order")
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void refusesBytesOfAnotherType() {
    byte[] string = new KryoSerializer<>(String.class).serialize("not a product");
    byte[] customer =
        new KryoSerializer<>(Customer.class).serialize(new Customer(1, "x", null, null));
    KryoSerializer<Product> products = productSerializer(false);

    assertThatThrownBy(() -> products.deserialize(string))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("they encode a java.lang.String");
    assertThatThrownBy(() -> products.deserialize(customer))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void refusesToSerializeValueOfAnotherType() {
    KryoSerializer raw = new KryoSerializer<>(Product.class);

    assertThatThrownBy(() -> raw.serialize("text"))
        .isInstanceOf(SerializationException.class)
        .hasMessage("Cannot serialize a java.lang.String: it is not a " + Product.class.getName());
  }

  /** Frames a positional Kryo payload as {@link KryoSerializer} does: format 1, CRC32C, payload. */
  private static byte[] frame(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(5 + payload.length)
        .put((byte) 1)
        .putInt((int) crc.getValue())
        .put(payload)
        .array();
  }

  private static byte[] payload(byte[] frame) {
    return Arrays.copyOfRange(frame, 5, frame.length);
  }

  @Test
  void writesFormatByteAndChecksumBeforeThePayload() {
    byte[] bytes = productSerializer(false).serialize(product(1));

    assertThat(frame(payload(bytes))).isEqualTo(bytes);
  }

  @Test
  void positionalAndCompatibleReadersRefuseEachOthersBytes() {
    byte[] compatible = productSerializer(true).serialize(product(1));
    byte[] positional = productSerializer(false).serialize(product(1));

    assertThat(compatible[0]).isEqualTo((byte) 2);
    assertThatThrownBy(() -> productSerializer(false).deserialize(compatible))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format byte is 0x02, not 0x01");
    assertThatThrownBy(() -> productSerializer(true).deserialize(positional))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format byte is 0x01, not 0x02");
  }

  @Test
  void refusesShortForeignAndCorruptBytes() {
    KryoSerializer<Product> serializer = productSerializer(false);
    byte[] corrupt = serializer.serialize(product(1));
    corrupt[corrupt.length / 2] ^= 0x10;
    byte[] json = new JacksonJsonSerializer<>(Product.class).serialize(product(1));

    assertThatThrownBy(() -> serializer.deserialize(new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith(
            "Cannot deserialize 0 bytes as a "
                + Product.class.getName()
                + " with Kryo: shorter than the 5-byte header");
    assertThatThrownBy(() -> serializer.deserialize(json))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("format byte is 0x7b, not 0x01");
    assertThatThrownBy(() -> serializer.deserialize(corrupt))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("checksum mismatch: corrupt or truncated");
  }

  @Test
  void refusesFramesThatEncodeNullOrGoOnAfterTheValue() {
    KryoSerializer<Product> serializer = productSerializer(false);
    byte[] payload = payload(serializer.serialize(product(1)));
    byte[] trailing = frame(Arrays.copyOf(payload, payload.length + 2));

    assertThatThrownBy(() -> serializer.deserialize(frame(new byte[] {0})))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("they encode null");
    assertThatThrownBy(() -> serializer.deserialize(trailing))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("2 bytes follow the encoded value");
  }

  @Test
  void refusesTruncatedPayloadEvenWithAValidChecksum() {
    KryoSerializer<Product> serializer = productSerializer(false);
    byte[] payload = payload(serializer.serialize(product(1)));

    for (int length = 0; length < payload.length; length++) {
      byte[] truncated = frame(Arrays.copyOf(payload, length));
      assertThatThrownBy(() -> serializer.deserialize(truncated))
          .as("first %d of %d payload bytes", length, payload.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageStartingWith(
              "Cannot deserialize " + truncated.length + " bytes as a " + Product.class.getName());
    }
  }

  @Test
  void refusesEveryTruncationOfValidBytes() {
    KryoSerializer<Product> serializer = productSerializer(false);
    byte[] valid = serializer.serialize(product(1));

    for (int length = 0; length < valid.length; length++) {
      byte[] truncated = Arrays.copyOf(valid, length);
      assertThatThrownBy(() -> serializer.deserialize(truncated))
          .as("first %d of %d bytes", length, valid.length)
          .isInstanceOf(SerializationException.class);
    }
  }

  @ParameterizedTest(name = "compatibleFields={0}")
  @ValueSource(booleans = {false, true})
  void refusesRandomBytes(boolean compatibleFields) {
    KryoSerializer<Product> serializer = productSerializer(compatibleFields);
    Random random = new Random(20240601);

    for (int i = 0; i < 2000; i++) {
      byte[] bytes = new byte[1 + random.nextInt(64)];
      random.nextBytes(bytes);
      assertThatThrownBy(() -> serializer.deserialize(bytes))
          .as("random bytes %s", Arrays.toString(bytes))
          .isInstanceOf(SerializationException.class);
    }
  }

  /** Version 1 of an evolving class. */
  static final class ItemV1 {
    String a;
    int b;
  }

  /** Version 2 of ItemV1: one field added, one of a class the version 1 reader never registered. */
  static final class ItemV2 {
    String a;
    int b;
    String c;
    Tag tag;
  }

  @Test
  void compatibleFieldsReadsBytesOfAClassWithMoreOrFewerFields() {
    KryoSerializer<ItemV1> v1 = KryoSerializer.builder(ItemV1.class).compatibleFields(true).build();
    KryoSerializer<ItemV2> v2 =
        KryoSerializer.builder(ItemV2.class).register(Tag.class).compatibleFields(true).build();
    ItemV2 newer = new ItemV2();
    newer.a = "alpha";
    newer.b = 42;
    newer.c = "added in v2";
    newer.tag = new Tag("only v2 knows Tag", 1);
    ItemV1 older = new ItemV1();
    older.a = "beta";
    older.b = 7;

    ItemV1 fromNewer = v1.deserialize(v2.serialize(newer));
    ItemV2 fromOlder = v2.deserialize(v1.serialize(older));

    assertThat(fromNewer.a).isEqualTo("alpha");
    assertThat(fromNewer.b).isEqualTo(42);
    assertThat(fromOlder.a).isEqualTo("beta");
    assertThat(fromOlder.b).isEqualTo(7);
    assertThat(fromOlder.c).isNull();
    assertThat(fromOlder.tag).isNull();
  }

  @Test
  void positionalFieldsRefuseBytesOfAClassWithMoreFields() {
    KryoSerializer<ItemV1> v1 = new KryoSerializer<>(ItemV1.class);
    KryoSerializer<ItemV2> v2 = KryoSerializer.builder(ItemV2.class).register(Tag.class).build();
    ItemV2 newer = new ItemV2();
    newer.a = "alpha";

    byte[] bytes = v2.serialize(newer);

    assertThatThrownBy(() -> v1.deserialize(bytes)).isInstanceOf(SerializationException.class);
  }

  /** A node that can point at itself. */
  static final class Node {
    Node next;
  }

  @Test
  void refusesCyclicValueInsteadOfOverflowingTheStack() {
    Node node = new Node();
    node.next = node;

    assertThatThrownBy(() -> new KryoSerializer<>(Node.class).serialize(node))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(Node.class.getName())
        .hasMessageContaining("depth");
  }

  @Test
  void builderRejectsDuplicateAndBuiltInRegistrations() {
    assertThatThrownBy(() -> KryoSerializer.builder(Product.class).register(Tag.class, Tag.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(Tag.class.getName() + " is registered twice; each class takes one id");
    assertThatThrownBy(() -> KryoSerializer.builder(Product.class).register(Product.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> KryoSerializer.builder(Product.class).register(ArrayList.class).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("java.util.ArrayList is already registered with id 20");
  }

  @Test
  void oneInstanceServesManyThreads() throws Exception {
    KryoSerializer<Product> serializer = productSerializer(true);
    int threads = 8;
    int roundTrips = 2000;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    List<Future<Integer>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            executor.submit(
                () -> {
                  start.await();
                  int ok = 0;
                  for (int i = 0; i < roundTrips; i++) {
                    Product value = product(thread * roundTrips + i);
                    Product decoded = roundTrip(serializer, value);
                    if (decoded.equals(value)) {
                      ok++;
                    } else {
                      failures.add(value + " decoded as " + decoded);
                    }
                  }
                  return ok;
                }));
      }
      start.countDown();
      int ok = 0;
      for (Future<Integer> f : done) {
        ok += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(failures).isEmpty();
      assertThat(ok).isEqualTo(threads * roundTrips);
    } finally {
      executor.shutdownNow();
    }
  }
}
