package io.nearcache.serializers;

import static io.nearcache.serializers.TestValues.UNICODE;
import static io.nearcache.serializers.TestValues.largeText;
import static io.nearcache.serializers.TestValues.product;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nearcache.SerializationException;
import io.nearcache.serializers.TestValues.Blob;
import io.nearcache.serializers.TestValues.Customer;
import io.nearcache.serializers.TestValues.Product;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JacksonJsonSerializerTest {
  private final JacksonJsonSerializer<Product> products =
      new JacksonJsonSerializer<>(Product.class);

  private static <T> T roundTrip(JacksonJsonSerializer<T> serializer, T value) {
    return serializer.deserialize(serializer.serialize(value));
  }

  @Test
  void roundTripsRecordWithNestedRecordsJavaTimeAndBigDecimal() {
    Product value = product(1);

    Product decoded = roundTrip(products, value);

    assertThat(decoded).isEqualTo(value).isNotSameAs(value);
    assertThat(decoded.price()).isEqualTo(new BigDecimal("20.90"));
  }

  @Test
  void writesJavaTimeAsIsoStringsKeepingOffsetAndZone() {
    String json = new String(products.serialize(product(0)), UTF_8);

    assertThat(json)
        .contains("\"updatedAt\":\"2024-03-01T10:15:30.123456789Z\"")
        .contains("\"launchedOn\":\"2023-12-31\"")
        .contains("\"saleEndsAt\":\"2024-06-01T23:59:00+02:00\"")
        .contains("\"reviewedAt\":\"2024-10-27T02:30:00+02:00[Europe/Paris]\"")
        .contains("\"price\":19.90");
  }

  @Test
  void roundTripsMutableClassWithNullField() {
    Customer value = new Customer(7, "Zoë 😀", null, List.of("vip", "東京"));

    Customer decoded = roundTrip(new JacksonJsonSerializer<>(Customer.class), value);

    assertThat(decoded).isEqualTo(value);
    assertThat(decoded.getEmail()).isNull();
  }

  @Test
  void roundTripsGenericListAndMapValues() {
    JacksonJsonSerializer<List<Product>> lists =
        new JacksonJsonSerializer<>(new TypeReference<List<Product>>() {});
    JacksonJsonSerializer<Map<String, List<Integer>>> maps =
        new JacksonJsonSerializer<>(new TypeReference<Map<String, List<Integer>>>() {});
    List<Product> productList = List.of(product(1), product(2));
    Map<String, List<Integer>> map = Map.of("a", List.of(1, 2), "東京", List.of());

    assertThat(roundTrip(lists, productList)).isEqualTo(productList);
    assertThat(roundTrip(lists, productList).get(0)).isInstanceOf(Product.class);
    assertThat(roundTrip(maps, map)).isEqualTo(map);
  }

  @Test
  void roundTripsUnicode() {
    assertThat(roundTrip(new JacksonJsonSerializer<>(String.class), UNICODE)).isEqualTo(UNICODE);
  }

  @Test
  void roundTripsValueOfSeveralMegabytes() {
    JacksonJsonSerializer<Blob> serializer = new JacksonJsonSerializer<>(Blob.class);
    Blob value = new Blob("big", largeText(5_000_000));

    byte[] bytes = serializer.serialize(value);

    assertThat(bytes.length).isGreaterThan(5_000_000);
    assertThat(serializer.deserialize(bytes)).isEqualTo(value);
  }

  record ItemV1(String a, int b) {}

  record ItemV2(String a, int b, String c) {}

  @Test
  void toleratesAddedAndMissingPropertiesAcrossVersions() {
    JacksonJsonSerializer<ItemV1> v1 = new JacksonJsonSerializer<>(ItemV1.class);
    JacksonJsonSerializer<ItemV2> v2 = new JacksonJsonSerializer<>(ItemV2.class);

    assertThat(v1.deserialize(v2.serialize(new ItemV2("alpha", 42, "added"))))
        .isEqualTo(new ItemV1("alpha", 42));
    assertThat(v2.deserialize(v1.serialize(new ItemV1("beta", 7))))
        .isEqualTo(new ItemV2("beta", 7, null));
  }

  @Test
  void usesTheCallersMapper() {
    ObjectMapper mapper =
        JacksonJsonSerializer.defaultMapper().enable(SerializationFeature.INDENT_OUTPUT);
    JacksonJsonSerializer<Product> indented = new JacksonJsonSerializer<>(Product.class, mapper);

    byte[] bytes = indented.serialize(product(1));

    assertThat(new String(bytes, UTF_8)).contains("\n  \"name\"");
    assertThat(indented.deserialize(bytes)).isEqualTo(product(1));
  }

  @Test
  void refusesEmptyNullWrongShapeAndTrailingJson() {
    assertThatThrownBy(() -> products.deserialize(new byte[0]))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith(
            "Cannot deserialize 0 bytes of JSON as " + Product.class.getName() + ": ");
    assertThatThrownBy(() -> products.deserialize("null".getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessage(
            "Cannot deserialize JSON null as "
                + Product.class.getName()
                + ": the cache holds no null values");
    List<String> wrongShapes =
        List.of("[1,2]", "\"text\"", "42", "{\"price\":{\"x\":1}}", "{\"tags\":7}");
    for (String wrongShape : wrongShapes) {
      assertThatThrownBy(() -> products.deserialize(wrongShape.getBytes(UTF_8)))
          .as(wrongShape)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("as " + Product.class.getName() + ": ");
    }
    assertThatThrownBy(() -> products.deserialize("{} {}".getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Trailing token");
  }

  @Test
  void namesGenericTargetTypeInMessages() {
    JacksonJsonSerializer<List<Product>> lists =
        new JacksonJsonSerializer<>(new TypeReference<List<Product>>() {});

    assertThatThrownBy(() -> lists.deserialize("{\"a\":1}".getBytes(UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("as java.util.List<" + Product.class.getName() + ">: ");
  }

  @Test
  void refusesEveryTruncationOfValidJson() {
    byte[] valid = products.serialize(product(1));

    for (int length = 0; length < valid.length; length++) {
      byte[] truncated = Arrays.copyOf(valid, length);
      assertThatThrownBy(() -> products.deserialize(truncated))
          .as("first %d of %d bytes", length, valid.length)
          .isInstanceOf(SerializationException.class);
    }
  }

  @Test
  void refusesRandomBytes() {
    Random random = new Random(20240601);

    for (int i = 0; i < 2000; i++) {
      byte[] bytes = new byte[1 + random.nextInt(64)];
      random.nextBytes(bytes);
      assertThatThrownBy(() -> products.deserialize(bytes))
          .as("random bytes %s", Arrays.toString(bytes))
          .isInstanceOf(SerializationException.class);
    }
  }

  @Test
  void refusesToSerializeWhatJacksonCannotWrite() {
    JacksonJsonSerializer<Object> objects = new JacksonJsonSerializer<>(Object.class);

    assertThatThrownBy(() -> objects.serialize(new Object()))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Cannot serialize a java.lang.Object as JSON java.lang.Object: ");
  }
}
