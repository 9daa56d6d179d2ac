package io.nearcache.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.KeyCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StructuredKeyCodecTest {
  private final KeyCodec<Map<String, ?>> codec = KeyCodec.structured();

  enum Sort { PRICE_ASC }

  @Test
  void theEncodingIsOrderIndependentAndStable() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("limit", 20);
    a.put("category", "shoes");
    a.put("tags", Set.of("red", "sale", "new"));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("tags", new LinkedHashSet<>(List.of("sale", "new", "red")));
    b.put("category", "shoes");
    b.put("limit", 20L);
    assertThat(codec.encode(a)).isEqualTo(codec.encode(b))
        .isEqualTo("m{8:category=s5:shoes,5:limit=i20,4:tags=S[s3:new,s3:red,s4:sale]}");
  }

  @Test
  void valuesAreTyped() {
    assertThat(codec.encode(Map.of("x", 10))).isNotEqualTo(codec.encode(Map.of("x", "10")));
    assertThat(codec.encode(Map.of("x", true))).isNotEqualTo(codec.encode(Map.of("x", "true")));
    assertThat(codec.encode(Map.of("x", 1.5))).isNotEqualTo(codec.encode(Map.of("x", "1.5")));
    assertThat(codec.encode(Map.of("x", List.of(1, 2))))
        .isNotEqualTo(codec.encode(Map.of("x", List.of(2, 1))));
    assertThat(codec.encode(Map.of("x", (short) 7))).isEqualTo(codec.encode(Map.of("x", 7L)))
        .isEqualTo(codec.encode(Map.of("x", BigInteger.valueOf(7))));
    assertThat(codec.encode(Map.of("x", 0.1f))).isEqualTo(codec.encode(Map.of("x", 0.1d)));
    assertThat(codec.encode(Map.of("x", new BigDecimal("1.50"))))
        .isEqualTo(codec.encode(Map.of("x", new BigDecimal("1.5"))));
    assertThat(codec.encode(Map.of("x", Sort.PRICE_ASC))).isEqualTo("m{1:x=e9:PRICE_ASC}");
    Map<String, Object> withNull = new HashMap<>();
    withNull.put("q", null);
    assertThat(codec.encode(withNull)).isEqualTo("m{1:q=n}");
  }

  @Test
  void stringsCannotForgeStructure() {
    Map<String, Object> oneField = Map.of("a", "1,1:b=s1:2");
    Map<String, Object> twoFields = Map.of("a", "1", "b", "2");
    assertThat(codec.encode(oneField)).isNotEqualTo(codec.encode(twoFields));
  }

  @Test
  void longEncodingsAreHashed() {
    String longText = "x".repeat(StructuredKeyCodec.MAX_PLAIN_LENGTH);
    String encoded = codec.encode(Map.of("q", longText));
    assertThat(encoded).matches("sha256:[0-9a-f]{64}");
    assertThat(codec.encode(Map.of("q", longText))).isEqualTo(encoded);
    assertThat(codec.encode(Map.of("q", longText + "y"))).isNotEqualTo(encoded);
  }

  @Test
  void unsupportedValuesAndCyclesAreRejected() {
    assertThatThrownBy(() -> codec.encode(Map.of("since", Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("structured key value of type java.time.Instant is not supported;"
            + " use null, a string, boolean, number, enum, list, set or map");
    Map<String, Object> cycle = new HashMap<>();
    cycle.put("self", cycle);
    assertThatThrownBy(() -> codec.encode(cycle)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a cycle?");
    Map<Object, Object> intKeys = Map.of(1, "one");
    @SuppressWarnings("unchecked")
    Map<String, ?> smuggled = (Map<String, ?>) (Map<?, ?>) intKeys;
    assertThatThrownBy(() -> codec.encode(smuggled)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("structured key map keys must be strings, got java.lang.Integer 1");
  }
}
