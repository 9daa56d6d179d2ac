package io.nearcache.examples.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.SerializationException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A listing's ids and body survive Redis, and bytes that cannot be one are refused. */
class ListingBodySerializerTest {
  private final ListingBodySerializer serializer = new ListingBodySerializer();

  @Test
  void idsAndBodyRoundTrip() {
    byte[] body = "{\"products\":[]}".getBytes(StandardCharsets.UTF_8);
    ListingBody read = serializer.deserialize(
        serializer.serialize(new ListingBody(List.of(42L, 7L, Long.MAX_VALUE), body)));
    assertThat(read.productIds()).containsExactly(42L, 7L, Long.MAX_VALUE);
    assertThat(read.body()).isEqualTo(body);
  }

  @Test
  void anEmptyPageRoundTrips() {
    ListingBody read = serializer.deserialize(
        serializer.serialize(new ListingBody(List.of(), new byte[0])));
    assertThat(read.productIds()).isEmpty();
    assertThat(read.body()).isEmpty();
  }

  @Test
  void bytesThatCannotHoldTheirIdsAreRefused() {
    assertThatThrownBy(() -> serializer.deserialize(new byte[3]))
        .isInstanceOf(SerializationException.class).hasMessageContaining("no id count");
    byte[] twoIdsShort = ByteBuffer.allocate(4 + 8).putInt(2).putLong(1).array();
    assertThatThrownBy(() -> serializer.deserialize(twoIdsShort))
        .isInstanceOf(SerializationException.class).hasMessageContaining("cannot hold 2 ids");
    byte[] negative = ByteBuffer.allocate(4).putInt(-1).array();
    assertThatThrownBy(() -> serializer.deserialize(negative))
        .isInstanceOf(SerializationException.class).hasMessageContaining("cannot hold -1 ids");
  }
}
