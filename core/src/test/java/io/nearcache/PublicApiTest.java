package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@code io.nearcache} is the one committed in {@code core/api/public-api.txt}.
 * A change to it is deliberate: rerun with {@code -Dnearcache.api.update=true} to rewrite the file,
 * and review the diff with the rest of the change.
 */
class PublicApiTest {
  private static final Path COMMITTED = Path.of("api", "public-api.txt");

  @Test
  void thePublicApiIsTheCommittedOne() throws Exception {
    String current = String.join("\n", describe()) + "\n";
    if (Boolean.getBoolean("nearcache.api.update")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, current, StandardCharsets.UTF_8);
    }
    assertThat(current)
        .as("the public API changed; if that is intended, run this test with"
            + " -Dnearcache.api.update=true and commit %s", COMMITTED.toAbsolutePath())
        .isEqualTo(Files.readString(COMMITTED, StandardCharsets.UTF_8));
  }

  private static List<String> describe() throws IOException, URISyntaxException,
      ClassNotFoundException {
    Path classes = Path.of(NearCache.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI()).resolve("io/nearcache");
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(classes)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".class") || name.equals("package-info.class")) {
          continue;
        }
        Class<?> type = Class.forName("io.nearcache." + name.replace(".class", ""));
        if (!Modifier.isPublic(type.getModifiers()) || type.isSynthetic()) {
          continue;
        }
        lines.add(type.toGenericString());
        Stream.of(type.getDeclaredFields(), type.getDeclaredConstructors(),
                type.getDeclaredMethods())
            .flatMap(Arrays::stream)
            .filter(m -> Modifier.isPublic(((Member) m).getModifiers()) && !((Member) m).isSynthetic())
            .map(m -> "  " + (m instanceof Field f ? f.toGenericString()
                : ((Executable) m).toGenericString()))
            .sorted()
            .forEach(lines::add);
      }
    }
    return lines;
  }
}
