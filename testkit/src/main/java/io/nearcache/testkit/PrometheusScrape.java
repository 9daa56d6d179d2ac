package io.nearcache.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of a Prometheus text-format scrape, as a Prometheus server would read them: series
 * name, labels (in any order) and value. Comment lines ({@code # HELP}, {@code # TYPE}) are
 * skipped. For tests of meters, e.g. {@code new PrometheusScrape(registry.scrape())}. Immutable.
 */
public final class PrometheusScrape {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private record Sample(String name, Map<String, String> labels, double value) {
    boolean matches(String name, Map<String, String> labels) {
      return this.name.equals(name) && this.labels.entrySet().containsAll(labels.entrySet());
    }
  }

  private final String text;
  private final List<Sample> samples = new ArrayList<>();

  /**
   * Parses {@code text}, a scrape in Prometheus' text format.
   *
   * @param text the scrape, lines separated by {@code \n}
   * @throws IllegalArgumentException if a line is neither a comment nor a sample, quoting it
   * @throws NumberFormatException if a sample's value is not a number
   */
  public PrometheusScrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
  }

  /**
   * Whether some series of {@code name} carries every label of {@code labels}.
   *
   * @param name the series name, such as {@code nearcache_gets_total}
   * @param labels label names and values the series must carry; it may carry others too
   * @return {@code true} if such a series is in the scrape
   */
  public boolean has(String name, Map<String, String> labels) {
    return samples.stream()
        .anyMatch(s -> s.matches(name, labels));
  }

  /**
   * The value of the one series of {@code name} that carries every label of {@code labels}, or
   * none.
   *
   * @param name the series name
   * @param labels label names and values the series must carry; it may carry others too
   * @return the series' value, or empty if no series matches
   * @throws IllegalStateException if several series match, naming them
   */
  public OptionalDouble value(String name, Map<String, String> labels) {
    List<Sample> found = samples.stream()
        .filter(s -> s.matches(name, labels))
        .toList();
    if (found.size() > 1) {
      throw new IllegalStateException(name + labels + " matches " + found);
    }
    return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
  }

  /**
   * Label sets of every series of {@code name}, in scrape order; empty if there is none.
   *
   * @param name the series name
   * @return an unmodifiable list with one label map per series
   */
  public List<Map<String, String>> series(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).map(Sample::labels).toList();
  }

  /** Returns the scrape's text as given. */
  @Override
  public String toString() {
    return text;
  }
}
