package io.nearcache.internal.keys;

import com.google.common.hash.Hashing;
import io.nearcache.KeyCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The canonical encoding behind {@link KeyCodec#structured()}.
 *
 * <p>Grammar (every string is length-prefixed, so no escaping is needed and no two values share an
 * encoding): {@code n} null, {@code bt}/{@code bf} booleans, {@code i<decimal>} integers of any
 * width, {@code d<Double.toString>} floating point, {@code D<plain decimal>} big decimals without
 * trailing zeros, {@code s<length>:<chars>} strings and characters, {@code e<length>:<name>} enum
 * constants (by name, not class, so renaming the enum class keeps keys), {@code l[a,b]} lists,
 * {@code S[a,b]} sets with elements sorted by their encoding, {@code m{<length>:<key>=value,...}}
 * maps sorted by key. An encoding longer than {@value #MAX_PLAIN_LENGTH} characters is replaced by
 * {@code sha256:<hex>}, which cannot clash with a plain encoding (those start with <code>m{</code>).
 */
public enum StructuredKeyCodec implements KeyCodec<Map<String, ?>> {
  /** The one instance, returned by {@link KeyCodec#structured()}. */
  INSTANCE;

  /** Longest encoding kept as is; longer ones are hashed. */
  public static final int MAX_PLAIN_LENGTH = 200;

  /** Deep nesting is almost surely a cycle; refuse it rather than overflow the stack. */
  private static final int MAX_DEPTH = 32;

  @Override
  public String encode(Map<String, ?> key) {
    StringBuilder out = new StringBuilder(64);
    appendMap(out, key, 0);
    if (out.length() <= MAX_PLAIN_LENGTH) {
      return out.toString();
    }
    return "sha256:" + Hashing.sha256().hashString(out, StandardCharsets.UTF_8);
  }

  private static void appendValue(StringBuilder out, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "structured key nested deeper than " + MAX_DEPTH + " levels (a cycle?)");
    }
    if (value == null) {
      out.append('n');
    } else if (value instanceof String || value instanceof Character) {
      appendString(out.append('s'), value.toString());
    } else if (value instanceof Boolean b) {
      out.append(b ? "bt" : "bf");
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      out.append('i').append(value);
    } else if (value instanceof Double d) {
      out.append('d').append(d);
    } else if (value instanceof Float f) {
      // Through the float's own shortest decimal, so 0.1f and 0.1d agree.
      out.append('d').append(Double.parseDouble(f.toString()));
    } else if (value instanceof BigDecimal d) {
      out.append('D').append(d.stripTrailingZeros().toPlainString());
    } else if (value instanceof Enum<?> e) {
      appendString(out.append('e'), e.name());
    } else if (value instanceof List<?> list) {
      appendElements(out.append("l["), list, depth);
    } else if (value instanceof Set<?> set) {
      List<String> sorted = new ArrayList<>(set.size());
      for (Object element : set) {
        StringBuilder one = new StringBuilder();
        appendValue(one, element, depth + 1);
        sorted.add(one.toString());
      }
      sorted.sort(null);
      out.append("S[").append(String.join(",", sorted)).append(']');
    } else if (value instanceof Map<?, ?> map) {
      appendMap(out, map, depth + 1);
    } else {
      throw new IllegalArgumentException(
          "structured key value of type " + value.getClass().getName() + " is not supported;"
              + " use null, a string, boolean, number, enum, list, set or map");
    }
  }

  private static void appendElements(StringBuilder out, Collection<?> elements, int depth) {
    boolean first = true;
    for (Object element : elements) {
      if (!first) {
        out.append(',');
      }
      first = false;
      appendValue(out, element, depth + 1);
    }
    out.append(']');
  }

  private static void appendMap(StringBuilder out, Map<?, ?> map, int depth) {
    TreeMap<String, Object> sorted = new TreeMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String name)) {
        throw new IllegalArgumentException(
            "structured key map keys must be strings, got " + describe(entry.getKey()));
      }
      sorted.put(name, entry.getValue());
    }
    out.append("m{");
    boolean first = true;
    for (Map.Entry<String, Object> entry : sorted.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      appendString(out, entry.getKey());
      out.append('=');
      appendValue(out, entry.getValue(), depth + 1);
    }
    out.append('}');
  }

  private static void appendString(StringBuilder out, String s) {
    out.append(s.length()).append(':').append(s);
  }

  private static String describe(Object o) {
    return o == null ? "null" : o.getClass().getName() + " " + o;
  }
}
