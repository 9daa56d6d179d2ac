package io.nearcache.internal.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidationMessageTest {

  @Test
  void roundTripsKeysAndWholeCacheMessages() {
    InvalidationMessage keys = new InvalidationMessage("node-1/abc", 42, "product", Kind.KEYS, 3,
        List.of("", "42", "ключ", "🔑", "a\u0000b"));
    InvalidationMessage whole = new InvalidationMessage("node-1/abc", 43, "product", Kind.WHOLE_CACHE, 4,
        List.of());
    assertThat(InvalidationMessage.decode(keys.encode())).isEqualTo(keys);
    assertThat(InvalidationMessage.decode(whole.encode())).isEqualTo(whole);
  }

  @Test
  void theWireFormatStartsWithVersionAndKind() {
    byte[] bytes = new InvalidationMessage("s", 1, "c", Kind.WHOLE_CACHE, 0, List.of()).encode();
    assertThat(bytes).startsWith(1, 2, 0, 1, 's');
    assertThat(bytes).hasSize(1 + 1 + 2 + 1 + 8 + 2 + 1 + 8 + 4);
  }

  @Test
  void heartbeatsCarryRedisTimeAndNoKeys() {
    InvalidationMessage heartbeat =
        new InvalidationMessage("s", 7, "", Kind.HEARTBEAT, 1_795_841_142_127L, List.of());
    assertThat(InvalidationMessage.decode(heartbeat.encode())).isEqualTo(heartbeat);
    assertThatThrownBy(() -> new InvalidationMessage("s", 1, "", Kind.HEARTBEAT, 0, List.of("k")))
        .hasMessage("a HEARTBEAT message carries no keys");
  }

  @Test
  void malformedBytesAreRejectedWithAReason() {
    byte[] good = new InvalidationMessage("s", 1, "c", Kind.KEYS, 0, List.of("k")).encode();
    assertThatThrownBy(() -> InvalidationMessage.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("truncated invalidation message");
    assertThatThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(good, good.length + 1)))
        .hasMessage("invalidation message has 1 trailing bytes");
    byte[] future = good.clone();
    future[0] = 2;
    assertThatThrownBy(() -> InvalidationMessage.decode(future))
        .hasMessage("unsupported invalidation message version 2");
    byte[] badKind = good.clone();
    badKind[1] = 9;
    assertThatThrownBy(() -> InvalidationMessage.decode(badKind))
        .hasMessage("unknown invalidation message kind 9");
    byte[] hugeCount = good.clone();
    hugeCount[good.length - 9] = 0x7f; // high byte of the key count
    assertThatThrownBy(() -> InvalidationMessage.decode(hugeCount))
        .hasMessageContaining("does not fit");
  }
}
