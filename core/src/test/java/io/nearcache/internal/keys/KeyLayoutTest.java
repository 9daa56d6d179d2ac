package io.nearcache.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class KeyLayoutTest {

  @Test
  void theLayoutIsDocumentedAndStable() {
    KeyLayout layout = new KeyLayout("shop", "product");
    assertThat(text(layout.valueKey(3, "42"))).isEqualTo("shop:product:3:{"
        + String.format("%08x", com.google.common.hash.Hashing.murmur3_32_fixed()
            .hashString("42", StandardCharsets.UTF_8).asInt()) + "}:v:42");
    assertThat(text(layout.generationKey())).isEqualTo("shop:product:generation");
    assertThat(text(KeyLayout.channel("shop"))).isEqualTo("shop:invalidations");
  }

  @Test
  void noTwoCachesPrefixesGenerationsOrKeysShareARedisKey() {
    List<String> keys = List.of("", "a", "a}", "}a", "{a}", "a:v:b", "1:{x}:v:a", "é", "🔑");
    Set<String> seen = new HashSet<>();
    int made = 0;
    for (String prefix : List.of("shop", "shop.1", "shop-x")) {
      for (String cache : List.of("product", "product_1", "generation")) {
        KeyLayout layout = new KeyLayout(prefix, cache);
        seen.add(text(layout.generationKey()));
        made++;
        for (long generation : new long[] {0, 1, 10}) {
          for (String key : keys) {
            seen.add(text(layout.valueKey(generation, key)));
            made++;
          }
        }
      }
    }
    assertThat(seen).hasSize(made);
  }

  @Test
  void everyKeyOfAnEntryHasAWellFormedHashTagWhateverTheKeyHolds() {
    KeyLayout layout = new KeyLayout("shop", "product");
    for (String key : List.of("", "}", "{", "{}", "a}b{c", "x".repeat(1000))) {
      String full = text(layout.valueKey(7, key));
      int open = full.indexOf('{');
      int close = full.indexOf('}', open);
      assertThat(close - open).as("tag of %s", key).isEqualTo(9);
      // The slot is decided by the tag alone, so every per-entry key of this key shares it.
      assertThat(JedisClusterCRC16.getSlot(layout.valueKey(7, key)))
          .isEqualTo(JedisClusterCRC16.getSlot(full.substring(open + 1, close)));
    }
  }

  @Test
  void badNamesAndMalformedKeysAreRejected() {
    assertThatThrownBy(() -> new KeyLayout("shop", "a{b}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache name must match [A-Za-z0-9_.-]{1,64}: \"a{b}\"");
    assertThatThrownBy(() -> new KeyLayout("", "product"))
        .hasMessage("keyPrefix must match [A-Za-z0-9_.-]{1,64}: \"\"");
    assertThatThrownBy(() -> KeyLayout.utf8("ok\uDC00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key has an unpaired surrogate at index 2 and cannot be stored in Redis");
    assertThat(KeyLayout.utf8("🔑")).hasSize(4);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
