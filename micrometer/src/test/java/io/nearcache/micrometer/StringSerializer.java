package io.nearcache.micrometer;

import io.nearcache.Serializer;
import java.nio.charset.StandardCharsets;

/** UTF-8 strings, enough for tests that count lookups rather than decode failures. */
final class StringSerializer implements Serializer<String> {
  @Override
  public byte[] serialize(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String deserialize(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
