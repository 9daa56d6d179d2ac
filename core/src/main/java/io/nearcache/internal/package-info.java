/**
 * The implementation of nearcache. <b>Not API</b>: everything under this package may change in any
 * release without notice. Use the types in {@code io.nearcache}.
 */
package io.nearcache.internal;
