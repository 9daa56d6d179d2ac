package io.nearcache.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns one run of {@code jmh/tags-refresh.sh} into {@code TAGS-REFRESH.md}: the L1 hit of a
 * cache without tags, before tags and refresh-ahead ({@code base}) and now ({@code head}), each as
 * a ratio to Caffeine with the same maintenance measured in the same JVMs, and head against base
 * directly; the tagged L1 hit; the heap a tagged entry costs; and the refresh-ahead harness.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.nearcache.jmh.report.TagsRefreshReport <raw dir>
 * <out dir> <base revision>}.
 */
public final class TagsRefreshReport {
  private static final String FLOOR = "caffeineTickedGetIfPresent";

  private TagsRefreshReport() {}

  public static void main(String[] args) throws IOException {
    Path raw = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String base = args[2];
    ObjectMapper json = new ObjectMapper();
    StringBuilder md = new StringBuilder();
    md.append("# Tags and refresh-ahead: one run of `jmh/tags-refresh.sh`, ")
        .append(LocalDate.now()).append("\n\n");
    md.append("## L1 hit of a cache without tags, before and after\n\n")
        .append("`base` is revision `").append(base).append("` (before tags, refresh-ahead and")
        .append(" stale-if-error), `head` this one. Ratios are to Caffeine with nearcache's")
        .append(" maintenance (`").append(FLOOR).append("`) measured by the same jar in the")
        .append(" same run; ops/ms, error is JMH's 99.9% interval.\n\n")
        .append("| threads | base nearcacheGet | base ratio | head nearcacheGet | head ratio |")
        .append(" head/base | head nearcacheTaggedGet | tagged/untagged |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    for (int threads : new int[] {1, 2}) {
      List<Report.Result> before = results(json, raw.resolve("base-l1-t" + threads + ".json"));
      List<Report.Result> after = results(json, raw.resolve("head-l1-t" + threads + ".json"));
      Report.Result baseGet = find(before, "nearcacheGet");
      Report.Result headGet = find(after, "nearcacheGet");
      Report.Result tagged = find(after, "nearcacheTaggedGet");
      md.append("| ").append(threads).append(" | ").append(score(baseGet)).append(" | ")
          .append(ratio(baseGet.score() / find(before, FLOOR).score())).append(" | ")
          .append(score(headGet)).append(" | ")
          .append(ratio(headGet.score() / find(after, FLOOR).score())).append(" | ")
          .append(ratio(headGet.score() / baseGet.score())).append(" | ")
          .append(score(tagged)).append(" | ")
          .append(ratio(tagged.score() / headGet.score())).append(" |\n");
    }
    JsonNode footprint = json.readTree(raw.resolve("footprint.json").toFile());
    md.append("\n## Heap per L1 entry\n\n")
        .append(footprint.get("entries").asInt()).append(" products in L1, keys and values")
        .append(" shared by both caches, used heap after full collections:\n\n")
        .append("| cache | bytes per entry |\n|---|---|\n")
        .append("| untagged | ").append(bytes(footprint, "untaggedBytesPerEntry")).append(" |\n")
        .append("| tagged, ").append(footprint.get("tagsPerEntry").asInt())
        .append(" tags each | ").append(bytes(footprint, "taggedBytesPerEntry")).append(" |\n")
        .append("| the tags' cost | ").append(bytes(footprint, "tagBytesPerEntry"))
        .append(" |\n");
    JsonNode refresh = json.readTree(raw.resolve("refresh.json").toFile());
    md.append("\n## Refresh-ahead\n\n")
        .append("2 clients x 4 threads read one hot key for 30 s (after 2 s of warm-up), each")
        .append(" thread every 100 us; `localTtl=remoteTtl=1s`, a 50 ms loader. The two setups")
        .append(" ran at the same time, each on its own key prefix.\n\n")
        .append("| setup | reads | p50 us | p99 us | p99.9 us | p99.99 us | max us |")
        .append(" reads waiting >= 25 ms | loader calls | per 700 ms | refreshes |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String setup : List.of("refreshAfter", "ttlOnly")) {
      JsonNode r = refresh.get(setup);
      md.append("| ").append(setup.equals("ttlOnly") ? "without refreshAfter"
              : "refreshAfter=700ms").append(" | ").append(r.get("reads").asLong());
      for (String field : List.of("p50Us", "p99Us", "p999Us", "p9999Us", "maxUs")) {
        md.append(" | ").append(Markdown.fmt(r.get(field).asDouble()));
      }
      md.append(" | ").append(r.get("readsWaitingHalfTheLoader").asLong())
          .append(" | ").append(r.get("loaderCalls").asInt())
          .append(" | ").append(String.format(Locale.ROOT, "%.2f",
              r.get("loaderCallsPerRefreshPeriod").asDouble()))
          .append(" | ").append(r.get("refreshes").asLong()).append(" |\n");
    }
    JsonNode with = refresh.get("refreshAfter");
    JsonNode without = refresh.get("ttlOnly");
    md.append("\np99 with refreshAfter / without: ")
        .append(ratio(with.get("p99Us").asDouble() / without.get("p99Us").asDouble()))
        .append("; p99.99: ")
        .append(ratio(with.get("p9999Us").asDouble() / without.get("p9999Us").asDouble()))
        .append("; max: ")
        .append(ratio(with.get("maxUs").asDouble() / without.get("maxUs").asDouble()))
        .append(".\n");
    Files.createDirectories(out);
    Files.writeString(out.resolve("TAGS-REFRESH.md"), md.toString(), StandardCharsets.UTF_8);
    System.out.print(md);
  }

  private static List<Report.Result> results(ObjectMapper json, Path file) throws IOException {
    List<Report.Result> results = new ArrayList<>();
    json.readTree(file.toFile()).forEach(node -> results.add(Report.Result.of(List.of(node))));
    return results;
  }

  private static Report.Result find(List<Report.Result> results, String method) {
    return results.stream().filter(r -> r.method().equals(method)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no result for " + method));
  }

  private static String score(Report.Result r) {
    return Markdown.fmt(r.score()) + " ± " + Markdown.fmt(r.error());
  }

  private static String ratio(double ratio) {
    return String.format(Locale.ROOT, "%.2fx", ratio);
  }

  private static String bytes(JsonNode node, String field) {
    return String.format(Locale.ROOT, "%.0f", node.get(field).asDouble());
  }
}
