package io.nearcache.serializers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.SerializerFactory.CompatibleFieldSerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.CompatibleFieldSerializer.CompatibleFieldSerializerConfig;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.UUIDSerializer;
import com.esotericsoftware.kryo.util.Pool;
import io.nearcache.SerializationException;
import io.nearcache.Serializer;
import java.lang.reflect.Constructor;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.objenesis.instantiator.ObjectInstantiator;
import org.objenesis.strategy.InstantiatorStrategy;
import org.objenesis.strategy.StdInstantiatorStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Serializer} backed by Kryo 5: compact and fast binary for values whose classes every JVM
 * of the application shares.
 *
 * <h2>Security: only registered classes are ever created</h2>
 *
 * <p>Kryo builds instances of the classes that the bytes name. Letting bytes read from Redis name
 * any class on the classpath is a remote-code-execution hole: whoever can write to Redis could make
 * every JVM instantiate and populate "gadget" classes whose side effects run code. This serializer
 * therefore always runs Kryo with registration required. It creates instances of these classes
 * only: Kryo's primitives and {@code String}; a fixed set of JDK types (the common collections
 * including {@code List.of}/{@code Set.of}/{@code Map.of} and {@code Collections} empties and
 * singletons, {@code Arrays.asList}, {@code BigDecimal}, {@code BigInteger}, {@code UUID}, {@code
 * Optional}, the {@code java.time} value types, and arrays of {@code String}, {@code int}, {@code
 * long}, {@code double}, {@code byte}); the value type; and the classes given to {@link
 * Builder#register}. Bytes that refer to any other class are refused with a {@link
 * SerializationException}. Register only your own value classes, never a broad or third-party type
 * hierarchy.
 *
 * <h2>Registration ids: the same classes in the same order on every JVM</h2>
 *
 * <p>Kryo writes a small integer id instead of a class name. Ids are fixed: the JDK types use ids
 * from {@value #FIRST_JDK_ID} (a fixed table that stays below 100), the value type {@value
 * #VALUE_TYPE_ID}, and the classes given to {@link Builder#register} the ids after it, in call
 * order. Bytes written on one JVM decode on another only if both register the same classes in the
 * same order; build the serializer in one shared place of the application. A mismatch fails
 * decoding (the cache counts a decode error and reloads), or, if two classes of the same field
 * layout swap ids, decodes wrong data.
 *
 * <h2>Schema evolution</h2>
 *
 * <p>By default Kryo's {@code FieldSerializer} writes a class's fields by position: adding,
 * removing, renaming or retyping a field makes bytes written by the old version unreadable. With
 * {@link Builder#compatibleFields(boolean) compatibleFields(true)} classes use Kryo's {@code
 * CompatibleFieldSerializer} instead: fields are matched by name, and data for a field the class no
 * longer has (or whose type changed) is skipped. This costs the field names in every value. A field
 * missing from the bytes keeps what the no-arg constructor gave it (null, 0 or false for a class
 * without one). Records are always written by Kryo's {@code RecordSerializer}, component by
 * component in name order, even with {@code compatibleFields}: a record's components must not
 * change while old bytes may still be read. Switching {@code compatibleFields} on or off is itself
 * a format change: each reader refuses the other's bytes.
 *
 * <h2>What round-trips</h2>
 *
 * <p>Records, classes (with or without a no-arg constructor: without one, the instance is created
 * without running a constructor, as Java serialization does), null fields, the JDK types above and
 * values of any size (the output buffer grows as needed). The value is written with its class id,
 * so the value type may be an interface or superclass (such as {@code List}) of the values. Object
 * graphs are written as trees: an object referenced twice is written twice and decodes as two
 * copies. Graphs nested deeper than {@value #MAX_DEPTH} levels, such as cyclic ones, are refused
 * with a {@link SerializationException}.
 *
 * <h2>Bytes</h2>
 *
 * <p>Each value is stored as one format byte (1 for positional fields, 2 for {@code
 * compatibleFields}), a CRC32C of the rest, then Kryo's encoding. Kryo trusts the lengths it reads
 * and would try to allocate gigabytes for a corrupt one; the checksum makes corrupt, truncated and
 * foreign bytes (JSON, another format version) fail with a {@link SerializationException} before
 * Kryo reads them. It is no signature: whoever can write to Redis can forge a valid frame.
 * Registration still keeps such a writer from creating any unregistered class, but not from making
 * readers allocate what a forged length asks for, so keep Redis closed to untrusted clients.
 *
 * <h2>Threads</h2>
 *
 * <p>Instances are thread-safe. Kryo instances, which are not, are kept in a Kryo {@link Pool}:
 * each call takes one, uses it alone and returns it; no {@code ThreadLocal} is used. The output
 * buffer is allocated per call, so no buffer grown by a large value stays pinned.
 *
 * @param <T> the type of values; its class, or a superclass or interface of it, is the value type
 */
public final class KryoSerializer<T> implements Serializer<T> {
  private static final Logger LOG = LoggerFactory.getLogger(KryoSerializer.class);

  /** Id of the first built-in JDK type; Kryo's own primitives and {@code String} use lower ids. */
  public static final int FIRST_JDK_ID = 20;

  /** Id of the value type; the classes given to {@link Builder#register} follow in call order. */
  public static final int VALUE_TYPE_ID = 100;

  /** Deepest object nesting accepted: stops cyclic values before they overflow the stack. */
  public static final int MAX_DEPTH = 512;

  /** First byte of a value written with positional fields; a new wire format gets new values. */
  private static final byte FORMAT_POSITIONAL = 1;

  /** First byte of a value written with {@code compatibleFields}. */
  private static final byte FORMAT_COMPATIBLE = 2;

  /** The format byte and the 4-byte CRC32C in front of Kryo's encoding. */
  private static final int HEADER_BYTES = 5;
  private static final int INITIAL_BUFFER_BYTES = 4096;
  private static final int POOL_CAPACITY =
      Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

  /**
   * JDK types registered on every instance, type {@code i} with id {@code FIRST_JDK_ID + i}. Append
   * only: inserting or removing an entry moves ids and breaks bytes already in Redis. Some entries
   * are probes whose class may repeat ({@code List.of()} and {@code List.of(1, 2, 3)} are one class
   * on JDK 17); a repeat keeps its first id and its own id stays unused.
   */
  private static final List<Class<?>> JDK_TYPES =
      List.of(
          ArrayList.class,
          LinkedList.class,
          HashMap.class,
          LinkedHashMap.class,
          TreeMap.class,
          HashSet.class,
          LinkedHashSet.class,
          TreeSet.class,
          List.of().getClass(),
          List.of(1).getClass(),
          List.of(1, 2, 3).getClass(),
          Set.of().getClass(),
          Set.of(1).getClass(),
          Set.of(1, 2, 3).getClass(),
          Map.of().getClass(),
          Map.of(1, 1).getClass(),
          Map.of(1, 1, 2, 2).getClass(),
          Collections.emptyList().getClass(),
          Collections.emptySet().getClass(),
          Collections.emptyMap().getClass(),
          Collections.singletonList(1).getClass(),
          Collections.singleton(1).getClass(),
          Collections.singletonMap(1, 1).getClass(),
          Arrays.asList().getClass(),
          BigDecimal.class,
          BigInteger.class,
          UUID.class,
          Optional.class,
          Instant.class,
          LocalDate.class,
          LocalTime.class,
          LocalDateTime.class,
          OffsetDateTime.class,
          OffsetTime.class,
          ZonedDateTime.class,
          Duration.class,
          Period.class,
          Year.class,
          YearMonth.class,
          MonthDay.class,
          ZoneOffset.class,
          ZoneId.of("Europe/Paris").getClass(),
          String[].class,
          int[].class,
          long[].class,
          double[].class,
          byte[].class);

  private final Class<? super T> type;
  private final List<Class<?>> registered;
  private final boolean compatibleFields;
  private final byte format;
  private final Map<Integer, String> idsForMessages;
  private final Pool<Kryo> kryos;

  /**
   * Creates a serializer for a value type with no further classes registered and positional
   * fields; use {@link #builder} to register the classes the value's fields hold.
   *
   * @param type the value type; values must be instances of it
   * @throws NullPointerException if type is null
   * @throws IllegalArgumentException if Kryo cannot build a serializer for the type
   */
  public KryoSerializer(Class<? super T> type) {
    this(new Builder<T>(type));
  }

  private KryoSerializer(Builder<T> builder) {
    this.type = builder.type;
    this.registered = List.copyOf(builder.registered);
    this.compatibleFields = builder.compatibleFields;
    this.format = compatibleFields ? FORMAT_COMPATIBLE : FORMAT_POSITIONAL;
    Map<Integer, String> ids = new LinkedHashMap<>();
    ids.put(VALUE_TYPE_ID, type.getName());
    for (int i = 0; i < registered.size(); i++) {
      ids.put(VALUE_TYPE_ID + 1 + i, registered.get(i).getName());
    }
    this.idsForMessages = Collections.unmodifiableMap(ids);
    this.kryos =
        new Pool<>(true, false, POOL_CAPACITY) {
          @Override
          protected Kryo create() {
            return newKryo();
          }
        };
    // Configure one Kryo now so that a class Kryo cannot handle fails here, not on a cache write.
    try {
      kryos.free(kryos.obtain());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "Kryo cannot serialize "
              + type.getName()
              + " or a class registered with it: "
              + e.getMessage(),
          e);
    }
    LOG.debug(
        "KryoSerializer for {}: compatibleFields={}, registration ids {}",
        type.getName(),
        compatibleFields,
        idsForMessages);
  }

  /**
   * Starts a builder for a value type.
   *
   * @param type the value type; values must be instances of it. For a generic type pass its class:
   *     {@code KryoSerializer.<List<Product>>builder(List.class)}
   * @param <T> the type of values
   * @return a builder with nothing else registered and {@code compatibleFields} off
   * @throws NullPointerException if type is null
   */
  public static <T> Builder<T> builder(Class<? super T> type) {
    return new Builder<>(type);
  }

  /**
   * Encodes a value: the format byte, a checksum, the value's class id, then its fields.
   *
   * @throws NullPointerException if value is null
   * @throws SerializationException if the value is not an instance of the value type, or if it or
   *     anything it holds is of an unregistered class (the message names the class and how to
   *     register it), or nests deeper than {@value #MAX_DEPTH} levels
   */
  @Override
  public byte[] serialize(T value) {
    Objects.requireNonNull(value, "value");
    if (!type.isInstance(value)) {
      throw new SerializationException(
          "Cannot serialize a " + value.getClass().getName() + ": it is not a " + type.getName());
    }
    Kryo kryo = kryos.obtain();
    byte[] bytes;
    try {
      Output output = new Output(INITIAL_BUFFER_BYTES, -1);
      output.setPosition(HEADER_BYTES);
      kryo.writeClassAndObject(output, value);
      bytes = output.toBytes();
    } catch (RuntimeException e) {
      // The Kryo is dropped, not pooled: one that threw mid-graph may keep stale state.
      throw new SerializationException(
          "Kryo cannot serialize a " + value.getClass().getName() + ": " + e.getMessage(), e);
    }
    kryos.free(kryo);
    bytes[0] = format;
    ByteBuffer.wrap(bytes).putInt(1, checksum(bytes));
    return bytes;
  }

  /**
   * Decodes bytes written by {@link #serialize} of a serializer with the same registrations. The
   * result is returned only if it is a complete instance of the value type and the bytes held
   * nothing after it.
   *
   * @throws NullPointerException if bytes is null
   * @throws SerializationException if the bytes are shorter than the header, of another format,
   *     fail the checksum (corrupt, truncated), refer to an unregistered class id, encode null or a
   *     value that is not of the value type, or go on after the value; the message names the value
   *     type and this serializer's registration ids
   */
  @Override
  public T deserialize(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < HEADER_BYTES) {
      throw decodeFailure(bytes, "shorter than the " + HEADER_BYTES + "-byte header", null);
    }
    if (bytes[0] != format) {
      throw decodeFailure(
          bytes,
          String.format(
              "format byte is 0x%02x, not 0x%02x (1: positional fields, 2: compatibleFields)",
              bytes[0],
              format),
          null);
    }
    if (ByteBuffer.wrap(bytes).getInt(1) != checksum(bytes)) {
      throw decodeFailure(bytes, "checksum mismatch: corrupt or truncated", null);
    }
    Kryo kryo = kryos.obtain();
    Input input = new Input(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
    Object result;
    try {
      result = kryo.readClassAndObject(input);
    } catch (RuntimeException e) {
      throw decodeFailure(bytes, e.getMessage(), e);
    }
    kryos.free(kryo);
    if (result == null) {
      throw decodeFailure(bytes, "they encode null", null);
    }
    if (!type.isInstance(result)) {
      throw decodeFailure(bytes, "they encode a " + result.getClass().getName(), null);
    }
    if (input.position() != bytes.length) {
      throw decodeFailure(
          bytes, (bytes.length - input.position()) + " bytes follow the encoded value", null);
    }
    @SuppressWarnings("unchecked") // checked above against the value type, the erasure of T
    T value = (T) result;
    return value;
  }

  /** CRC32C of everything after the header. */
  private static int checksum(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
    return (int) crc.getValue();
  }

  private SerializationException decodeFailure(byte[] bytes, String reason, Throwable cause) {
    return new SerializationException(
        "Cannot deserialize "
            + bytes.length
            + " bytes as a "
            + type.getName()
            + " with Kryo: "
            + reason
            + " (this serializer registers ids "
            + idsForMessages
            + "; every JVM must register the same classes in the same order)",
        cause);
  }

  private Kryo newKryo() {
    Kryo kryo =
        new Kryo() {
          @Override
          protected String unregisteredClassMessage(@SuppressWarnings("rawtypes") Class unknown) {
            return unregisteredMessage(unknown);
          }
        };
    kryo.setRegistrationRequired(true);
    kryo.setMaxDepth(MAX_DEPTH);
    kryo.setInstantiatorStrategy(new ConstructorOrObjenesis());
    // Kryo ships a UUID serializer but does not install it; UUID's fields are closed to reflection.
    kryo.addDefaultSerializer(UUID.class, UUIDSerializer.class);
    if (compatibleFields) {
      CompatibleFieldSerializerConfig config = new CompatibleFieldSerializerConfig();
      // Chunks let a reader skip the data of a field it lacks, or whose type changed.
      config.setChunkedEncoding(true);
      kryo.setDefaultSerializer(new CompatibleFieldSerializerFactory(config));
    }
    for (int i = 0; i < JDK_TYPES.size(); i++) {
      Class<?> jdkType = JDK_TYPES.get(i);
      if (kryo.getClassResolver().getRegistration(jdkType) == null) {
        kryo.register(jdkType, FIRST_JDK_ID + i);
      }
    }
    // A built-in value type (String, ArrayList...) keeps its id; VALUE_TYPE_ID then stays unused.
    if (kryo.getClassResolver().getRegistration(type) == null) {
      kryo.register(type, VALUE_TYPE_ID);
    }
    for (int i = 0; i < registered.size(); i++) {
      Class<?> extra = registered.get(i);
      Registration existing = kryo.getClassResolver().getRegistration(extra);
      if (existing != null) {
        throw new IllegalArgumentException(
            extra.getName()
                + " is already registered with id "
                + existing.getId()
                + " (built in, or the value type); remove it from register(...)");
      }
      kryo.register(extra, VALUE_TYPE_ID + 1 + i);
    }
    return kryo;
  }

  private String unregisteredMessage(Class<?> unknown) {
    return "class "
        + unknown.getName()
        + " is not registered with the KryoSerializer for "
        + type.getName()
        + "; register it on every JVM, in the same order: KryoSerializer.builder("
        + sourceName(type)
        + ".class).register(..., "
        + sourceName(unknown)
        + ".class)";
  }

  private static String sourceName(Class<?> c) {
    return c.getCanonicalName() != null ? c.getCanonicalName() : c.getName();
  }

  /**
   * Creates instances with the no-arg constructor when there is one, else without running a
   * constructor, as Java serialization does (immutable classes often have none). Kryo's default
   * strategy tries ReflectASM first, whose generated accessors cannot reach package-private
   * classes.
   */
  private static final class ConstructorOrObjenesis implements InstantiatorStrategy {
    private final InstantiatorStrategy withoutConstructor = new StdInstantiatorStrategy();

    @Override
    public <C> ObjectInstantiator<C> newInstantiatorOf(Class<C> type) {
      Constructor<C> constructor;
      try {
        constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
      } catch (NoSuchMethodException | RuntimeException e) {
        return withoutConstructor.newInstantiatorOf(type);
      }
      return () -> {
        try {
          return constructor.newInstance();
        } catch (ReflectiveOperationException e) {
          throw new KryoException(
              "Cannot create a " + type.getName() + " with its no-arg constructor", e);
        }
      };
    }
  }

  /**
   * Configures a {@link KryoSerializer}. Not thread-safe; {@link #build} may be called more than
   * once and each result is independent.
   *
   * @param <T> the type of values
   */
  public static final class Builder<T> {
    private final Class<? super T> type;
    private final List<Class<?>> registered = new ArrayList<>();
    private boolean compatibleFields;

    private Builder(Class<? super T> type) {
      this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * Registers classes that values hold (field types, collection elements, enums, subclasses),
     * with the ids after {@link #VALUE_TYPE_ID} in call order. Every JVM reading the same cache
     * must register the same classes in the same order; see the class documentation for why
     * registering a class makes its instances creatable from bytes in Redis.
     *
     * @param classes the classes, in id order
     * @return this builder
     * @throws NullPointerException if classes or one of them is null
     * @throws IllegalArgumentException if a class is the value type or was already given; nothing
     *     is registered then. A class that is built in fails in {@link #build}
     */
    public Builder<T> register(Class<?>... classes) {
      List<Class<?>> batch = new ArrayList<>();
      for (Class<?> c : Objects.requireNonNull(classes, "classes")) {
        Objects.requireNonNull(c, "classes contains null");
        if (c == type || registered.contains(c) || batch.contains(c)) {
          throw new IllegalArgumentException(
              c.getName() + " is registered twice; each class takes one id");
        }
        batch.add(c);
      }
      registered.addAll(batch);
      return this;
    }

    /**
     * Chooses how classes other than records and built-in types are written: by field position
     * ({@code false}, the default, smallest) or by field name with Kryo's {@code
     * CompatibleFieldSerializer} ({@code true}), so that adding or removing fields between
     * versions still reads. Every JVM must use the same setting.
     *
     * @param enabled whether to match fields by name
     * @return this builder
     */
    public Builder<T> compatibleFields(boolean enabled) {
      this.compatibleFields = enabled;
      return this;
    }

    /**
     * Builds the serializer, configuring one Kryo instance at once.
     *
     * @return a new thread-safe serializer
     * @throws IllegalArgumentException if a registered class is already built in, or Kryo cannot
     *     build a serializer for one of the classes
     */
    public KryoSerializer<T> build() {
      return new KryoSerializer<>(this);
    }
  }
}
