package io.nearcache.internal.redis;

/** Reads one field of an {@code INFO} reply. */
final class Info {
  private Info() {}

  /** The value of {@code name} in {@code info}, or {@code ""} if there is none. */
  static String field(String info, String name) {
    String prefix = name + ":";
    return info.lines().filter(line -> line.startsWith(prefix))
        .map(line -> line.substring(prefix.length()).trim()).findFirst().orElse("");
  }
}
