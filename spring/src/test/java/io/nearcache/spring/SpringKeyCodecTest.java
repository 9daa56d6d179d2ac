package io.nearcache.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.cache.interceptor.SimpleKeyGenerator;

/** The Spring key codec: exact encodings (stable across JVMs), typed, and refusals. */
@ExtendWith(RedisServerExtension.class)
class SpringKeyCodecTest {
  private static final SpringKeyCodec CODEC = SpringKeyCodec.standard();

  enum Size { S, XL }

  enum Colour { S }

  record Query(String category, int limit) {}

  /** A key class that keeps Object's identity-hash toString. */
  static final class OpaqueKey {
    final int id;

    OpaqueKey(int id) {
      this.id = id;
    }
  }

  @Test
  void encodingsAreFixedStrings() {
    // Golden strings: another JVM, or a later version, must compute exactly these.
    assertThat(CODEC.encode("42")).isEqualTo("s2:42");
    assertThat(CODEC.encode(42)).isEqualTo("i42;");
    assertThat(CODEC.encode(-7L)).isEqualTo("i-7;");
    assertThat(CODEC.encode(1.5d)).isEqualTo("d1.5;");
    assertThat(CODEC.encode(new BigDecimal("1.50"))).isEqualTo("m1.50;");
    assertThat(CODEC.encode('x')).isEqualTo("cx");
    assertThat(CODEC.encode(true)).isEqualTo("t");
    assertThat(CODEC.encode(Size.XL))
        .isEqualTo("e46:io.nearcache.spring.SpringKeyCodecTest$Size.XL");
    assertThat(CODEC.encode(SimpleKey.EMPTY)).isEqualTo("k0()");
    assertThat(CODEC.encode(new SimpleKey("shoes", 20, null, 0L)))
        .isEqualTo("k4(s5:shoesi20;ni0;)");
    assertThat(CODEC.encode(List.of(1, "2"))).isEqualTo("l2[i1;s1:2]");
    assertThat(CODEC.encode(new int[] {1, 2})).isEqualTo("a2[i1;i2;]");
    assertThat(CODEC.encode(Set.of(2, 1))).isEqualTo("z2{i1;i2;}");
    assertThat(CODEC.encode(Map.of("a", 1))).isEqualTo("M1{s1:ai1;}");
    assertThat(CODEC.encode(UUID.fromString("6f1c0a4e-9b1d-4c8e-8f3a-2b7d5e9c1a00")))
        .isEqualTo("o51:java.util.UUID=6f1c0a4e-9b1d-4c8e-8f3a-2b7d5e9c1a00");
    assertThat(CODEC.encode(new Query("shoes", 20)))
        .isEqualTo("o76:io.nearcache.spring.SpringKeyCodecTest$Query=Query[category=shoes,"
            + " limit=20]");
  }

  @Test
  void simpleKeysOfSeveralParametersAreOrderedAndTyped() {
    List<Object> keys = List.of(
        new SimpleKey("a", "b"), new SimpleKey("b", "a"), new SimpleKey("ab"),
        new SimpleKey("a", "b", null), new SimpleKey("a", null, "b"), new SimpleKey(1, 2),
        new SimpleKey("1", 2), new SimpleKey(null, "a"), new SimpleKey("null", "a"),
        new SimpleKey((Object) new SimpleKey("a", "b")), "a", SimpleKey.EMPTY, "", List.of());
    assertThat(keys.stream().map(CODEC::encode).distinct()).hasSameSizeAs(keys);

    assertThat(CODEC.encode(new SimpleKey("shoes", 20, 0)))
        .isEqualTo(CODEC.encode(new SimpleKey("shoes", 20, 0)));
    assertThat(CODEC.encode(new SimpleKey())).isEqualTo(CODEC.encode(SimpleKey.EMPTY));
    assertThat(CODEC.encode(SimpleKeyGenerator.generateKey())).isEqualTo("k0()");
    assertThat(CODEC.encode(SimpleKeyGenerator.generateKey("x"))).as("one parameter is itself")
        .isEqualTo("s1:x");
  }

  @Test
  void numbersAndStringsDiffer() {
    List<Object> keys = List.of(1, "1", '1', 1.0d, new BigDecimal("1"), true, "true",
        Size.S, Colour.S, "S", List.of(1), List.of("1"), new int[] {1}, new String[] {"1"},
        Set.of(1), Map.of(1, 1), Map.of("1", 1));
    assertThat(keys.stream().map(CODEC::encode).distinct()).hasSameSizeAs(keys);
  }

  @Test
  void equalKeysOfDifferentImplementationsAgree() {
    assertThat(CODEC.encode(1)).as("integral boxes by value").isEqualTo(CODEC.encode(1L))
        .isEqualTo(CODEC.encode((short) 1)).isEqualTo(CODEC.encode(BigInteger.ONE));
    assertThat(CODEC.encode(1.5f)).isEqualTo(CODEC.encode(1.5d));
    assertThat(CODEC.encode(new ArrayList<>(List.of(1, 2)))).isEqualTo(CODEC.encode(List.of(1, 2)))
        .isEqualTo(CODEC.encode(Arrays.asList(1, 2)));
    assertThat(CODEC.encode(new HashSet<>(List.of("b", "a", "c"))))
        .isEqualTo(CODEC.encode(new TreeSet<>(List.of("c", "b", "a"))));
    Map<String, Integer> inOrder = new LinkedHashMap<>();
    inOrder.put("a", 1);
    inOrder.put("b", 2);
    Map<String, Integer> reversed = new LinkedHashMap<>();
    reversed.put("b", 2);
    reversed.put("a", 1);
    assertThat(CODEC.encode(inOrder)).isEqualTo(CODEC.encode(reversed))
        .isEqualTo(CODEC.encode(new HashMap<>(inOrder)));
    assertThat(CODEC.encode(new SimpleKey((Object) new int[] {1, 2})))
        .as("arrays by content, as SimpleKey compares them")
        .isEqualTo(CODEC.encode(new SimpleKey((Object) new int[] {1, 2})));
    assertThat(CODEC.encode(LocalDate.of(2026, 12, 2)))
        .isEqualTo(CODEC.encode(LocalDate.parse("2026-12-02")));
  }

  @Test
  void aKeyWithoutItsOwnToStringIsRefusedNamingItsClass() {
    for (Object key : List.of(new OpaqueKey(1), new SimpleKey("a", new OpaqueKey(1)),
        List.of(new OpaqueKey(1)), new Object())) {
      assertThatThrownBy(() -> CODEC.encode(key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Cannot encode a cache key of type")
          .hasMessageContaining("does not override toString()")
          .hasMessageContaining("NearCacheCacheManager.Builder.keyCodec");
    }
    assertThatThrownBy(() -> CODEC.encode(new OpaqueKey(1)))
        .hasMessageContaining("io.nearcache.spring.SpringKeyCodecTest$OpaqueKey");
    assertThatThrownBy(() -> CODEC.encode(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aKeyThatContainsItselfIsRefused() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> CODEC.encode(cyclic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper than " + SpringKeyCodec.MAX_DEPTH);
  }

  @Test
  void equalKeysFindOneEntryOnEveryNodeAndTypedKeysStayApart(RedisServer redis) {
    try (Nodes nodes = Nodes.of(redis, 2, SerializerKind.KRYO)) {
      Cache a = nodes.cache(0, "product");
      Cache b = nodes.cache(1, "product");

      a.put(new SimpleKey("shoes", 20, 0), Product.of(1));
      a.put(SimpleKey.EMPTY, Product.of(2));
      a.put(1, Product.of(3));
      a.put("1", Product.of(4));

      assertThat(b.get(new SimpleKey("shoes", 20, 0), Product.class)).isEqualTo(Product.of(1));
      assertThat(b.get(new SimpleKey("shoes", "20", 0))).isNull();
      assertThat(b.get(SimpleKeyGenerator.generateKey(), Product.class)).isEqualTo(Product.of(2));
      assertThat(b.get(1, Product.class)).isEqualTo(Product.of(3));
      assertThat(b.get(1L, Product.class)).isEqualTo(Product.of(3));
      assertThat(b.get("1", Product.class)).isEqualTo(Product.of(4));
      assertThatThrownBy(() -> b.get(new OpaqueKey(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OpaqueKey");
    }
  }
}
