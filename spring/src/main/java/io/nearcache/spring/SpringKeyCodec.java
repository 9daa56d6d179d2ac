package io.nearcache.spring;

import io.nearcache.KeyCodec;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cache.interceptor.SimpleKey;

/**
 * The {@link KeyCodec} of Spring cache keys: what {@code @Cacheable}'s default key generator makes
 * ({@link SimpleKey}, {@link SimpleKey#EMPTY}, or the single parameter itself) and what a key
 * expression returns, turned into a typed, canonical string that every JVM computes alike.
 *
 * <p>The encoding is a sequence of self-delimiting tokens, so that no two keys of different shape
 * meet:
 *
 * <table>
 *   <caption>Tokens</caption>
 *   <tr><th>key</th><th>token</th><th>example</th></tr>
 *   <tr><td>{@code null} (a parameter)</td><td>{@code n}</td><td>{@code n}</td></tr>
 *   <tr><td>{@link String}</td><td>{@code s<length>:<chars>}</td><td>{@code s2:42}</td></tr>
 *   <tr><td>{@link Character}</td><td>{@code c<char>}</td><td>{@code cx}</td></tr>
 *   <tr><td>{@link Boolean}</td><td>{@code t} or {@code f}</td><td>{@code t}</td></tr>
 *   <tr><td>{@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@link BigInteger}</td>
 *       <td>{@code i<decimal>;}</td><td>{@code i42;}</td></tr>
 *   <tr><td>{@code Float}, {@code Double}</td><td>{@code d<Double.toString>;}</td>
 *       <td>{@code d1.5;}</td></tr>
 *   <tr><td>{@link BigDecimal}</td><td>{@code m<toString>;}</td><td>{@code m1.50;}</td></tr>
 *   <tr><td>enum constant</td><td>{@code e<length>:<enum class>.<name>}</td>
 *       <td>{@code e13:shop.Size.XL}</td></tr>
 *   <tr><td>{@link SimpleKey}</td><td>{@code k<count>(<tokens>)}</td>
 *       <td>{@code k2(s1:ai7;)}; {@code k0()} for {@link SimpleKey#EMPTY}</td></tr>
 *   <tr><td>{@link List}, array</td><td>{@code l<count>[<tokens>]}, {@code a<count>[<tokens>]}
 *       </td><td>{@code l2[i1;i2;]}</td></tr>
 *   <tr><td>{@link Set}</td><td>{@code z<count>{<tokens, sorted>}}</td>
 *       <td>{@code z2{i1;i2;}}</td></tr>
 *   <tr><td>{@link Map}</td><td>{@code M<count>{<key token><value token>, sorted>}}</td>
 *       <td>{@code M1{s1:ai1;}}</td></tr>
 *   <tr><td>any other class that overrides {@code toString()}</td>
 *       <td>{@code o<length>:<class name>=<toString()>}</td>
 *       <td>{@code o47:java.util.UUID=...}</td></tr>
 * </table>
 *
 * <p>So {@code 1} and {@code "1"} differ, as do {@code new SimpleKey("a", "b")} and {@code
 * new SimpleKey("ab")}, and a parameter {@code null} and the string {@code "null"}. As with {@link
 * KeyCodec#structured()}, integral boxes of one value agree ({@code 1} and {@code 1L} name one
 * entry), and so do {@code Float} and {@code Double} of one value: a key read from a path as a
 * {@code Long} and evicted by an {@code Integer} field find each other. Equal lists, sets and maps
 * of different implementations encode alike; a list and an array of the same elements do not.
 *
 * <p>Keys of other classes are encoded by their {@code toString()}, prefixed by their class name,
 * and only if the class (or a superclass other than {@code Object}) overrides it: {@code
 * Object.toString()} prints an identity hash that differs on every JVM, so such a key is refused
 * with {@link IllegalArgumentException} naming its class. Records, {@code UUID} and the {@code
 * java.time} types qualify. The {@code toString()} of such a class must identify the key fully and
 * stay the same across versions; if it cannot, give the manager a codec of your own ({@link
 * NearCacheCacheManager.Builder#keyCodec}) or a key expression ({@code @Cacheable(key = "...")})
 * that yields strings or numbers.
 *
 * <p>Collections nested deeper than {@value #MAX_DEPTH} levels (a list that contains itself, for
 * one) are refused. The encoding is not hashed: a long key makes a long Redis key. This codec is
 * stateless and thread-safe.
 */
public final class SpringKeyCodec implements KeyCodec<Object> {
  private static final Logger log = LoggerFactory.getLogger(SpringKeyCodec.class);

  /** Deepest nesting of keys inside keys (SimpleKey parameters, collections) accepted. */
  public static final int MAX_DEPTH = 32;

  private static final SpringKeyCodec INSTANCE = new SpringKeyCodec();

  /** SimpleKey keeps its parameters private and offers no accessor. */
  private static final Field SIMPLE_KEY_PARAMS = simpleKeyParams();

  /** Whether a class overrides {@code Object.toString()}, looked up once per class. */
  private static final ClassValue<Boolean> HAS_OWN_TO_STRING = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("toString").getDeclaringClass() != Object.class;
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("every class has a public toString()", e);
      }
    }
  };

  private SpringKeyCodec() {}

  /**
   * Returns the codec; the manager uses it unless told otherwise.
   *
   * @return the shared, stateless instance
   */
  public static SpringKeyCodec standard() {
    return INSTANCE;
  }

  /**
   * Encodes a Spring cache key as described in the class documentation.
   *
   * @param key the key, never {@code null}
   * @return the canonical string
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if the key, or something it holds, is of a class that does
   *     not override {@code toString()}, or nests deeper than {@value #MAX_DEPTH} levels; the
   *     message names the class and what to do
   */
  @Override
  public String encode(Object key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (key instanceof String s) {
      // The common case, without a builder.
      return "s" + s.length() + ":" + s;
    }
    StringBuilder out = new StringBuilder(32);
    append(out, key, 0);
    return out.toString();
  }

  private static void append(StringBuilder out, Object key, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("Cannot encode a cache key nested deeper than "
          + MAX_DEPTH + " levels (does a collection contain itself?)");
    }
    if (key == null) {
      out.append('n');
    } else if (key instanceof String s) {
      out.append('s').append(s.length()).append(':').append(s);
    } else if (key instanceof Character c) {
      out.append('c').append(c.charValue());
    } else if (key instanceof Boolean b) {
      out.append(b ? 't' : 'f');
    } else if (key instanceof Integer || key instanceof Long || key instanceof Short
        || key instanceof Byte || key instanceof BigInteger) {
      out.append('i').append(key).append(';');
    } else if (key instanceof Double || key instanceof Float) {
      out.append('d').append(((Number) key).doubleValue()).append(';');
    } else if (key instanceof BigDecimal d) {
      out.append('m').append(d).append(';');
    } else if (key instanceof Enum<?> e) {
      tagged(out, 'e', e.getDeclaringClass().getName() + "." + e.name());
    } else if (key instanceof SimpleKey k) {
      Object[] params = params(k);
      out.append('k').append(params.length).append('(');
      for (Object param : params) {
        append(out, param, depth + 1);
      }
      out.append(')');
    } else if (key instanceof List<?> list) {
      sequence(out, 'l', list, depth);
    } else if (key.getClass().isArray()) {
      int length = Array.getLength(key);
      List<Object> elements = new ArrayList<>(length);
      for (int i = 0; i < length; i++) {
        elements.add(Array.get(key, i));
      }
      sequence(out, 'a', elements, depth);
    } else if (key instanceof Set<?> set) {
      sorted(out, 'z', set.stream().map(e -> token(e, depth + 1)).toList());
    } else if (key instanceof Map<?, ?> map) {
      sorted(out, 'M', map.entrySet().stream()
          .map(e -> token(e.getKey(), depth + 1) + token(e.getValue(), depth + 1)).toList());
    } else if (HAS_OWN_TO_STRING.get(key.getClass())) {
      tagged(out, 'o', key.getClass().getName() + "=" + key);
    } else {
      throw new IllegalArgumentException("Cannot encode a cache key of type "
          + key.getClass().getName() + ": it does not override toString(), so it has no text"
          + " that is the same on every JVM. Override toString() to identify the key fully, use"
          + " a key expression (@Cacheable(key = \"...\")) that yields strings or numbers, or"
          + " give NearCacheCacheManager.Builder.keyCodec(...) a KeyCodec<Object> of your own");
    }
  }

  private static String token(Object key, int depth) {
    StringBuilder out = new StringBuilder();
    append(out, key, depth);
    return out.toString();
  }

  private static void tagged(StringBuilder out, char tag, String text) {
    out.append(tag).append(text.length()).append(':').append(text);
  }

  private static void sequence(StringBuilder out, char tag, Collection<?> elements, int depth) {
    out.append(tag).append(elements.size()).append('[');
    for (Object element : elements) {
      append(out, element, depth + 1);
    }
    out.append(']');
  }

  /** Tokens in sorted order, so that iteration order does not matter. */
  private static void sorted(StringBuilder out, char tag, List<String> tokens) {
    out.append(tag).append(tokens.size()).append('{');
    tokens.stream().sorted().forEach(out::append);
    out.append('}');
  }

  private static Object[] params(SimpleKey key) {
    if (SIMPLE_KEY_PARAMS == null) {
      throw new IllegalArgumentException("Cannot encode a SimpleKey: this Spring version's"
          + " SimpleKey has no field 'params' of type Object[] to read; give"
          + " NearCacheCacheManager.Builder.keyCodec(...) a KeyCodec<Object> of your own");
    }
    try {
      return (Object[]) SIMPLE_KEY_PARAMS.get(key);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("SimpleKey.params was made accessible", e);
    }
  }

  private static Field simpleKeyParams() {
    try {
      Field field = SimpleKey.class.getDeclaredField("params");
      if (field.getType() != Object[].class) {
        return null;
      }
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException | RuntimeException e) {
      // Reported on the first SimpleKey to encode, with what to do instead.
      log.warn("SimpleKey.params cannot be read; SimpleKey keys will be refused", e);
      return null;
    }
  }
}
