package io.nearcache.examples.catalog;

import io.nearcache.SerializationException;
import io.nearcache.Serializer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ListingBody} in Redis: the number of product ids (4 bytes), the ids (8 bytes each),
 * then the JSON body as it is. The body is the bulk of the value and already bytes, so it is not
 * encoded again; the ids ride in front of it at a cost of 8 bytes a product.
 */
final class ListingBodySerializer implements Serializer<ListingBody> {
  private static final int COUNT_BYTES = Integer.BYTES;

  @Override
  public byte[] serialize(ListingBody listing) {
    List<Long> ids = listing.productIds();
    ByteBuffer out = ByteBuffer.allocate(COUNT_BYTES + ids.size() * Long.BYTES
        + listing.body().length);
    out.putInt(ids.size());
    ids.forEach(out::putLong);
    return out.put(listing.body()).array();
  }

  @Override
  public ListingBody deserialize(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.remaining() < COUNT_BYTES) {
      throw new SerializationException("a listing of " + bytes.length + " bytes has no id count");
    }
    int count = in.getInt();
    // As a long, so that a corrupt count cannot overflow into a plausible size.
    if (count < 0 || (long) count * Long.BYTES > in.remaining()) {
      throw new SerializationException("a listing of " + bytes.length + " bytes cannot hold "
          + count + " ids");
    }
    List<Long> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(in.getLong());
    }
    byte[] body = new byte[in.remaining()];
    in.get(body);
    return new ListingBody(ids, body);
  }
}
