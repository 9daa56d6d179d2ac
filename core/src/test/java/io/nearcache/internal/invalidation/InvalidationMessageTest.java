package io.nearcache.internal.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidationMessageTest {

  @Test
  void roundTripsKeysAndWholeCacheMessages() {
    InvalidationMessage keys = new InvalidationMessage(Kind.KEYS, 7, 42, 3, "node-1/abc",
        "product", List.of("", "42", "ключ", "🔑", "a\u0000b"));
    InvalidationMessage whole = new InvalidationMessage(Kind.WHOLE_CACHE, 0, 43, 4, "node-1/abc",
        "product", List.of());
    assertThat(InvalidationMessage.decode(keys.encode())).isEqualTo(keys);
    assertThat(InvalidationMessage.decode(whole.encode())).isEqualTo(whole);
    assertThatThrownBy(() -> new InvalidationMessage(Kind.WHOLE_CACHE, 0, 1, 0, "s", "c",
        List.of("k"))).hasMessage("a WHOLE_CACHE message carries no keys");
  }

  @Test
  void theWireFormatIsHeadNumberGenerationTail() {
    InvalidationMessage message = new InvalidationMessage(Kind.KEYS, 0x0102, 5, 300, "s", "c",
        List.of("k"));
    byte[] head = InvalidationMessage.head(Kind.KEYS, 0x0102);
    assertThat(head).containsExactly(2, 1, 1, 2);
    byte[] tail = InvalidationMessage.tail("s", "c", List.of("k"));
    // What the change scripts publish: head, then the two longs packed by Lua, then the tail.
    byte[] published = ByteBuffer.allocate(head.length + 16 + tail.length).put(head).putLong(5)
        .putLong(300).put(tail).array();
    assertThat(message.encode()).isEqualTo(published);
    assertThat(published).hasSize(1 + 1 + 2 + 8 + 8 + 2 + 1 + 2 + 1 + 4 + 4 + 1);
  }

  @Test
  void malformedBytesAreRejectedWithAReason() {
    byte[] good = new InvalidationMessage(Kind.KEYS, 1, 1, 0, "s", "c", List.of("k")).encode();
    assertThatThrownBy(() -> InvalidationMessage.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("truncated invalidation message");
    assertThatThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InvalidationMessage.decode(Arrays.copyOf(good, good.length + 1)))
        .hasMessage("invalidation message has 1 trailing bytes");
    byte[] future = good.clone();
    future[0] = 3;
    assertThatThrownBy(() -> InvalidationMessage.decode(future))
        .hasMessage("unsupported invalidation message version 3 (this node reads version 2)");
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
