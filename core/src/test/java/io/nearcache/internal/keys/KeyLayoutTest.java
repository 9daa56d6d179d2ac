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
    KeyLayout layout = new KeyLayout("shop", "product", SlotGroups.defaults());
    String value = text(layout.valueKey(3, "42"));
    assertThat(value).matches("shop:product:3:\\{shop:[01][0-9]\\}:v:42");
    String group = value.substring(value.indexOf('{'), value.indexOf('}') + 1);
    assertThat(text(layout.leaseKey(3, "42"))).isEqualTo("shop:product:3:" + group + ":l:42");
    int g = SlotGroups.defaults().of("42");
    assertThat(group).isEqualTo(String.format("{shop:%02d}", g));
    assertThat(KeyLayout.logKey("shop", g)).isEqualTo("shop:" + group + ":log");
    assertThat(KeyLayout.counterKey("shop", g)).isEqualTo("shop:" + group + ":changes");
    assertThat(text(layout.generationKey())).isEqualTo("shop:product:{shop:00}:generation");
  }

  @Test
  void noTwoCachesPrefixesGenerationsOrKeysShareARedisKey() {
    List<String> keys = List.of("", "a", "a}", "}a", "{a}", "a:v:b", "1:{x}:v:a", "é", "🔑");
    Set<String> seen = new HashSet<>();
    int made = 0;
    for (String prefix : List.of("shop", "shop.1", "shop-x")) {
      for (int group = 0; group < SlotGroups.DEFAULT; group++) {
        seen.add(KeyLayout.logKey(prefix, group));
        made++;
      }
      for (String cache : List.of("product", "product_1", "generation")) {
        KeyLayout layout = new KeyLayout(prefix, cache, SlotGroups.defaults());
        seen.add(text(layout.generationKey()));
        made++;
        for (long generation : new long[] {0, 1, 10}) {
          for (String key : keys) {
            seen.add(text(layout.valueKey(generation, key)));
            seen.add(text(layout.leaseKey(generation, key)));
            made += 2;
          }
        }
      }
    }
    assertThat(seen).hasSize(made);
  }

  @Test
  void anEntryItsLeaseAndItsLogShareASlotWhateverTheKeyHolds() {
    KeyLayout layout = new KeyLayout("shop", "product", SlotGroups.defaults());
    Set<Integer> groupsSeen = new HashSet<>();
    for (String key : List.of("", "}", "{", "{}", "a}b{c", "x".repeat(1000), "1", "2", "3", "4")) {
      int slot = JedisClusterCRC16.getSlot(layout.valueKey(7, key));
      assertThat(JedisClusterCRC16.getSlot(layout.leaseKey(7, key))).as("lease of %s", key)
          .isEqualTo(slot);
      int group = SlotGroups.defaults().of(key);
      assertThat(JedisClusterCRC16.getSlot(KeyLayout.logKey("shop", group))).as("log of %s", key)
          .isEqualTo(slot);
      assertThat(JedisClusterCRC16.getSlot(KeyLayout.counterKey("shop", group)))
          .as("counter of %s", key).isEqualTo(slot);
      groupsSeen.add(slot);
    }
    assertThat(JedisClusterCRC16.getSlot(layout.generationKey()))
        .isEqualTo(JedisClusterCRC16.getSlot(KeyLayout.logKey("shop", 0)));
    assertThat(groupsSeen).as("keys spread over groups").hasSizeGreaterThan(2);
  }

  @Test
  void badNamesAndMalformedKeysAreRejected() {
    assertThatThrownBy(() -> new KeyLayout("shop", "a{b}", SlotGroups.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache name must match [A-Za-z0-9_.-]{1,64}: \"a{b}\"");
    assertThatThrownBy(() -> new KeyLayout("", "product", SlotGroups.defaults()))
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
