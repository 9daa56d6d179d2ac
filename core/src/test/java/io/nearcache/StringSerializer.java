package io.nearcache;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 strings: bytes that are not valid UTF-8 fail to decode, as a real codec's would. */
final class StringSerializer implements Serializer<String> {
  @Override
  public byte[] serialize(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String deserialize(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SerializationException("not UTF-8: " + bytes.length + " bytes", e);
    }
  }
}
