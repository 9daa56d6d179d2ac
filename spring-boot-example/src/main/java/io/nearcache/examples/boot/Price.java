package io.nearcache.examples.boot;

/** A product's price in one currency, in minor units (cents), as the catalog example has it. */
public record Price(String currency, long amount) {}
