package io.nearcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The temporary directory of one process the kit starts, and the log file in it that takes the
 * process's output across restarts. Not thread-safe; its owner serializes its lifecycle.
 */
final class ProcessDir {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessDir.class);
  private static final int LOG_TAIL_LINES = 20;

  private final Path dir;
  private final Path logFile;

  private ProcessDir(Path dir, Path logFile) {
    this.dir = dir;
    this.logFile = logFile;
  }

  /**
   * Creates a new temporary directory named {@code prefix...}, whose process logs to
   * {@code logName} in it.
   *
   * @throws UncheckedIOException if the directory cannot be created
   */
  static ProcessDir create(String prefix, String logName) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      return new ProcessDir(dir, dir.resolve(logName));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory " + prefix + "...", e);
    }
  }

  /** The directory. */
  Path path() {
    return dir;
  }

  /** Where the process's output goes, for {@code redirectOutput(Redirect.appendTo(...))}. */
  Path logFile() {
    return logFile;
  }

  /**
   * Everything the process wrote so far.
   *
   * @throws IllegalStateException if the log cannot be read
   */
  String log() {
    try {
      // ISO-8859-1 never fails to decode, whatever the process wrote.
      return Files.readString(logFile, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + logFile, e);
    }
  }

  /** The last lines of the log, for a failure's message; says so if it cannot be read. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
          lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** Deletes the directory and all in it; what cannot be deleted is logged, not thrown. */
  void delete() {
    deleteTree(dir);
  }

  /**
   * Deletes {@code dir} and all in it, if it exists; what cannot be deleted is logged, not
   * thrown: a test's leftovers in the temporary directory must not fail it.
   */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      LOG.warn("cannot delete {}", dir, e);
      return;
    }
    if (Files.exists(dir)) {
      LOG.warn("cannot delete {}", dir);
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
