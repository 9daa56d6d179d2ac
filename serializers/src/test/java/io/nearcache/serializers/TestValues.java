package io.nearcache.serializers;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;

/** Value types shared by the serializer tests. */
final class TestValues {
  static final String UNICODE = "Grüße, 東京の寿司, 한국어, Ελληνικά, emoji 😀👍🏽🇫🇷, clef 𝄞, nul \0 end";

  private TestValues() {}

  record Tag(String name, int weight) {}

  record Product(
      UUID id,
      String name,
      BigDecimal price,
      List<Tag> tags,
      Map<String, Integer> stockByWarehouse,
      Instant updatedAt,
      LocalDate launchedOn,
      OffsetDateTime saleEndsAt,
      ZonedDateTime reviewedAt,
      Duration shelfLife) {}

  /** A record holding one large text field. */
  record Blob(String id, String text) {}

  static Product product(int n) {
    return new Product(
        new UUID(42L, n),
        "Product " + n + " " + UNICODE,
        new BigDecimal("19.90").add(BigDecimal.valueOf(n)), // scale 2 must survive: 19.90 != 19.9
        new ArrayList<>(List.of(new Tag("new", 1), new Tag("寿司 🍣", n))),
        Map.of("paris", 3, "東京", n),
        Instant.parse("2024-03-01T10:15:30.123456789Z").plusSeconds(n),
        LocalDate.of(2023, 12, 31),
        OffsetDateTime.of(2024, 6, 1, 23, 59, 0, 0, ZoneOffset.ofHours(2)),
        ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 0, ZoneId.of("Europe/Paris")),
        Duration.ofDays(30).plusMillis(n));
  }

  /** A string of about {@code bytes} UTF-8 bytes mixing ASCII, CJK and emoji. */
  static String largeText(int bytes) {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder(bytes);
    while (text.length() < bytes) {
      text.append("lorem ipsum ").append(random.nextInt()).append(" 東京 😀 ");
    }
    return text.toString();
  }

  /** A mutable class with a no-arg constructor, setters and a nullable field. */
  static final class Customer {
    private long id;
    private String name;
    private String email;
    private List<String> notes;

    public Customer() {}

    Customer(long id, String name, String email, List<String> notes) {
      this.id = id;
      this.name = name;
      this.email = email;
      this.notes = notes;
    }

    public long getId() {
      return id;
    }

    public void setId(long id) {
      this.id = id;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getEmail() {
      return email;
    }

    public void setEmail(String email) {
      this.email = email;
    }

    public List<String> getNotes() {
      return notes;
    }

    public void setNotes(List<String> notes) {
      this.notes = notes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Customer c
          && id == c.id
          && Objects.equals(name, c.name)
          && Objects.equals(email, c.email)
          && Objects.equals(notes, c.notes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(id, name, email, notes);
    }

    @Override
    public String toString() {
      return "Customer[" + id + ", " + name + ", " + email + ", " + notes + "]";
    }
  }
}
