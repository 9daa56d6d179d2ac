package io.nearcache.examples.catalog.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The listing requests a storefront sends, with their popularity: the home listing most, then its
 * next pages, category pages, searches and category searches. 98 distinct listings; the more
 * popular ones appear more often in the list.
 */
final class StorefrontPaths {
  static final List<String> CATEGORIES = List.of("shirts", "trousers", "shoes", "jackets", "hats",
      "bags", "socks", "scarves", "gloves", "belts", "dresses", "skirts", "sweaters", "shorts",
      "swimwear", "watches", "sunglasses", "wallets", "jewellery", "umbrellas");
  private static final List<String> SEARCHES =
      List.of("wool", "linen", "black", "classic", "leather", "navy", "organic", "slim");

  private StorefrontPaths() {}

  /** The weighted, shuffled list; the same every time. */
  static List<String> weighted() {
    List<String> paths = new ArrayList<>();
    add(paths, "/store/products", 20);
    for (int page = 1; page < 10; page++) {
      add(paths, "/store/products?limit=20&offset=" + page * 20, 10 - page);
    }
    for (String category : CATEGORIES) {
      add(paths, "/store/products?category=" + category, 5);
      add(paths, "/store/products?category=" + category + "&offset=20", 2);
      add(paths, "/store/products?category=" + category + "&q=black", 1);
      add(paths, "/store/products?category=" + category + "&q=wool", 1);
    }
    for (String q : SEARCHES) {
      add(paths, "/store/products?q=" + q, 3);
    }
    Collections.shuffle(paths, new Random(7));
    return paths;
  }

  private static void add(List<String> paths, String path, int times) {
    for (int i = 0; i < times; i++) {
      paths.add(path);
    }
  }
}
