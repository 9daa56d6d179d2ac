package io.nearcache.examples.catalog;

/** A database failure of the catalog; the HTTP layer answers it with 500. */
public final class CatalogException extends RuntimeException {
  CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
