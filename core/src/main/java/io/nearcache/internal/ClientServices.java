package io.nearcache.internal;

import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.l1.CoarseClock;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What every cache of a client shares with it.
 *
 * @param contact whether L1 may be served, and the receiving end of the bus
 * @param retries invalidations waiting for Redis
 * @param clock the time L1 expiry reads
 * @param l1Maintenance where L1's Caffeine maintenance runs
 * @param open whether the client is still open, checked on every call but an L1 hit (a closed
 *     client's contact is never trusted, so no hit gets past a close)
 * @param groups the slot groups of the client's prefix
 * @param refresher where refreshes ahead of expiry run; never the caller's thread
 */
public record ClientServices(Contact contact, WriteRetries retries, CoarseClock clock,
    Executor l1Maintenance, BooleanSupplier open, SlotGroups groups, Executor refresher) {}
