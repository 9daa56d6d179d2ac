package io.nearcache.examples.catalog;

/** A variant's price in one currency, in minor units (cents). */
public record Price(String currency, long amount) {}
