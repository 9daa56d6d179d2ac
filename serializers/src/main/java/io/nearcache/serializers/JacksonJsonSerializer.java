package io.nearcache.serializers;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.nearcache.SerializationException;
import io.nearcache.Serializer;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Serializer} that stores values as UTF-8 JSON with Jackson: readable in {@code
 * redis-cli}, tolerant of added and removed fields, and larger and slower than {@link
 * KryoSerializer}.
 *
 * <p>The serializer is bound to one target type, a {@link Class} or, for generic types such as
 * {@code List<Product>}, a {@link TypeReference}. Reading and writing use an {@link ObjectReader}
 * and {@link ObjectWriter} computed once for that type. Instances are thread-safe.
 *
 * <p>The {@linkplain #defaultMapper() default mapper} handles records, {@code Optional} and the
 * {@code java.time} types (written as ISO-8601 strings that keep their offset and zone), and
 * ignores unknown properties so that bytes written by a newer version with added fields still
 * read; a property missing from the bytes keeps what the constructor gives it (null or 0 for a
 * record component). It enables no polymorphic ("default") typing, and a mapper passed in should
 * not either (a warning is logged if it does): with it, the JSON names the class to create, so
 * anyone who can write to Redis could have every JVM instantiate "gadget" classes whose side
 * effects run code. Without it, only the target type, the types its properties declare and the
 * subtypes those types list with {@code @JsonTypeInfo} are ever created.
 *
 * <p>Whatever the mapper, decoding rejects bytes that hold anything after the first JSON value.
 *
 * @param <T> the type of values
 */
public final class JacksonJsonSerializer<T> implements Serializer<T> {
  private static final Logger LOG = LoggerFactory.getLogger(JacksonJsonSerializer.class);

  private final JavaType type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  /**
   * Creates a serializer for a class with the {@linkplain #defaultMapper() default mapper}.
   *
   * @param type the target class
   * @throws NullPointerException if type is null
   */
  public JacksonJsonSerializer(Class<T> type) {
    this(type, defaultMapper());
  }

  /**
   * Creates a serializer for a generic type with the {@linkplain #defaultMapper() default mapper},
   * e.g. {@code new JacksonJsonSerializer<>(new TypeReference<List<Product>>() {})}.
   *
   * @param type the target type
   * @throws NullPointerException if type is null
   */
  public JacksonJsonSerializer(TypeReference<T> type) {
    this(type, defaultMapper());
  }

  /**
   * Creates a serializer for a class with the caller's mapper. The mapper's configuration is read
   * now; configure it fully before, and enable no default typing (see the class documentation).
   *
   * @param type the target class
   * @param mapper the mapper to read and write with
   * @throws NullPointerException if an argument is null
   */
  public JacksonJsonSerializer(Class<T> type, ObjectMapper mapper) {
    this(mapper, requireNonNull(mapper, "mapper").constructType(requireNonNull(type, "type")));
  }

  /**
   * Creates a serializer for a generic type with the caller's mapper. The mapper's configuration is
   * read now; configure it fully before, and enable no default typing (see the class
   * documentation).
   *
   * @param type the target type
   * @param mapper the mapper to read and write with
   * @throws NullPointerException if an argument is null
   */
  public JacksonJsonSerializer(TypeReference<T> type, ObjectMapper mapper) {
    this(mapper, requireNonNull(mapper, "mapper").constructType(requireNonNull(type, "type")));
  }

  private JacksonJsonSerializer(ObjectMapper mapper, JavaType type) {
    if (mapper.getDeserializationConfig().getDefaultTyper(type) != null) {
      LOG.warn(
          "The ObjectMapper of the JSON serializer for {} has default typing on: JSON read from"
              + " Redis names the classes to create, which lets anyone who can write to Redis"
              + " try gadget chains; turn it off unless its PolymorphicTypeValidator is strict",
          type.toCanonical());
    }
    this.type = type;
    this.reader = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.writer = mapper.writerFor(type);
  }

  /**
   * Returns a new mapper configured as this serializer's default: {@code java.time} and {@code
   * Optional} support; dates as ISO-8601 strings, not timestamps; offsets and zone ids kept as
   * written; unknown properties ignored; no default typing. Callers may configure it further and
   * pass it to a constructor.
   *
   * @return a new mapper, not shared with any serializer
   */
  public static ObjectMapper defaultMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.WRITE_DATES_WITH_ZONE_ID)
        // Keep the offset that was written; by default Jackson moves OffsetDateTime to UTC on read.
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
  }

  /**
   * Encodes a value as UTF-8 JSON.
   *
   * @throws NullPointerException if value is null
   * @throws SerializationException if Jackson cannot write the value; the message names the target
   *     type and Jackson's reason
   */
  @Override
  public byte[] serialize(T value) {
    requireNonNull(value, "value");
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot serialize a "
              + value.getClass().getName()
              + " as JSON "
              + type.toCanonical()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Decodes UTF-8 JSON written by {@link #serialize}.
   *
   * @throws NullPointerException if bytes is null
   * @throws SerializationException if the bytes are empty, not JSON, truncated, of a shape that
   *     does not map to the target type, hold more than one value, or are the JSON literal {@code
   *     null} (the cache holds no nulls); the message names the target type
   */
  @Override
  public T deserialize(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    T value;
    try {
      value = reader.readValue(bytes);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot deserialize "
              + bytes.length
              + " bytes of JSON as "
              + type.toCanonical()
              + ": "
              + e.getMessage(),
          e);
    }
    if (value == null) {
      throw new SerializationException(
          "Cannot deserialize JSON null as "
              + type.toCanonical()
              + ": the cache holds no null values");
    }
    return value;
  }
}
