package io.nearcache.internal;

import io.nearcache.internal.keys.SlotGroups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which numbered changes of each slot group a client has applied, and so whether its L1 may be
 * served: the state of {@link Contact}, without any I/O, so that its rules can be model-checked.
 *
 * <p>Per group it keeps {@code applied}, the number up to which every change is known to be
 * applied here, and whether the group is <i>synced</i>: its numbering is known to follow the
 * group's live history, so that the next message must carry {@code applied + 1}. A message that
 * skips numbers, or goes back, unsyncs its group; a loss that may cover every group (the
 * subscription dropped, a message could not be read, Redis failed) unsyncs them all. A repair
 * reads what was missed and reports it with {@link #repaired}; a group becomes synced again only if
 * nothing unsynced it since its repair began. L1 is trusted while every group is synced.
 *
 * <p>Every method is atomic: a loss either happens before a repair's check and voids it, or after
 * the repair and unsyncs again. (A loss landing between a check and its consequence, as the
 * previous design allowed, left a client trusting L1 over messages it never replayed.)
 */
final class GroupSync {
  private final SlotGroups groups;
  private final long[] applied;
  private final boolean[] known;
  private final boolean[] synced;
  /** Per group: how often it was unsynced, so that a repair can tell it was overtaken. */
  private final long[] losses;
  private final String[] history;
  /** Per group: numbers heard beyond {@code applied + 1}, applied already, not yet contiguous. */
  private final List<TreeSet<Long>> ahead;
  /** Per group, 1 while synced: read without the lock, on L1 hits while some group is not. */
  private final AtomicIntegerArray servable;
  private volatile boolean trusted;
  private boolean closed;

  /** The state of {@code groups}, none synced yet. */
  GroupSync(SlotGroups groups) {
    this.groups = groups;
    int n = groups.count();
    applied = new long[n];
    known = new boolean[n];
    synced = new boolean[n];
    losses = new long[n];
    history = new String[n];
    ahead = new ArrayList<>(n);
    servable = new AtomicIntegerArray(n);
    for (int group = 0; group < n; group++) {
      ahead.add(new TreeSet<>());
    }
  }

  /**
   * What a repair starts from: for each group to repair, its state when the repair began.
   *
   * @param groups the groups not synced when the repair began
   */
  record Repair(List<Integer> groups, long[] applied, boolean[] known, String[] history,
      long[] losses) {
    /** Whether {@code group}'s numbers were ever read: if not, there is nothing to replay. */
    boolean known(int group) {
      return known[group];
    }

    /** The number up to which {@code group}'s changes were applied. */
    long applied(int group) {
      return applied[group];
    }

    /** The history {@code group}'s numbers belonged to. */
    String history(int group) {
      return history[group];
    }
  }

  /** Whether L1 may be served and filled now. One volatile read: it sits on the hit path. */
  boolean trusted() {
    return trusted;
  }

  /**
   * Whether the L1 entries of {@code group} may be served while some other group is out of step:
   * the group and group 0, which also carries the whole-cache invalidations, are synced. No lock.
   */
  boolean servable(int group) {
    return servable.get(group) == 1 && servable.get(0) == 1;
  }

  /** Whether some group needs a repair. */
  synchronized boolean repairDue() {
    for (boolean s : synced) {
      if (!s) {
        return !closed;
      }
    }
    return false;
  }

  /**
   * A message of {@code group} with {@code number} was heard (and applied). Advances the group if
   * the number is the next one; unsyncs it if the number skips ahead of a synced group (a gap) or
   * goes back (a new history).
   *
   * @return whether the message unsynced its group
   */
  synchronized boolean heard(int group, long number) {
    if (known[group] && number == applied[group] + 1) {
      applied[group] = number;
      advance(group);
      return false;
    }
    if (number > applied[group]) {
      ahead.get(group).add(number);
    }
    if (!synced[group]) {
      return false;
    }
    unsync(group);
    return true;
  }

  /** Messages of any group may have been missed. */
  synchronized void lost() {
    lost(groups.all());
  }

  /** Messages of {@code groups} may have been missed. */
  synchronized void lost(Collection<Integer> groups) {
    for (int group : groups) {
      // What was heard before the loss was applied; the repair reads everything after applied.
      ahead.get(group).clear();
      unsync(group);
    }
  }

  private void unsync(int group) {
    synced[group] = false;
    servable.set(group, 0);
    losses[group]++;
    trusted = false;
  }

  /**
   * The state a repair starts from, of every unsynced group whose messages are heard now.
   *
   * @param listening per group, whether its subscription is up: only then does a baseline read
   *     now cover every later change
   */
  synchronized Repair beginRepair(boolean[] listening) {
    List<Integer> due = new ArrayList<>();
    for (int group = 0; group < synced.length; group++) {
      if (!synced[group] && listening[group]) {
        due.add(group);
      }
    }
    return new Repair(List.copyOf(due), applied.clone(), known.clone(), history.clone(),
        losses.clone());
  }

  /**
   * {@code repair} applied (or dropped) every change of {@code group} of {@code historyId} up to
   * {@code through}. The group is synced again only if nothing unsynced it since the repair began;
   * either way, what was applied stays applied.
   */
  synchronized void repaired(Repair repair, int group, String historyId, long through) {
    applied[group] = through;
    known[group] = true;
    history[group] = historyId;
    advance(group);
    if (!ahead.get(group).isEmpty()) {
      // Numbers past a hole: a message lost, or one that no change of this history made. The
      // next repair reads the log again from here.
      ahead.get(group).clear();
      return;
    }
    if (losses[group] == repair.losses[group] && !closed) {
      synced[group] = true;
      servable.set(group, 1);
    }
  }

  /**
   * Ends a repair: trusts L1 again if every group is synced and the client is open.
   *
   * @return whether L1 is trusted now
   */
  synchronized boolean finish() {
    boolean all = !closed;
    for (boolean s : synced) {
      all &= s;
    }
    trusted = all;
    return all;
  }

  /** The client is closing: L1 is never trusted again. */
  synchronized void close() {
    closed = true;
    trusted = false;
    for (int group = 0; group < servable.length(); group++) {
      servable.set(group, 0);
    }
  }

  /** The number up to which {@code group}'s changes are applied. For tests and logs. */
  synchronized long applied(int group) {
    return applied[group];
  }

  /** Moves {@code applied} over the numbers heard ahead of it that are now contiguous. */
  private void advance(int group) {
    TreeSet<Long> heard = ahead.get(group);
    heard.headSet(applied[group], true).clear();
    while (!heard.isEmpty() && heard.first() == applied[group] + 1) {
      applied[group] = heard.pollFirst();
    }
  }

  @Override
  public synchronized String toString() {
    return "GroupSync[applied=" + Arrays.toString(applied) + ", synced="
        + Arrays.toString(synced) + ", trusted=" + trusted + "]";
  }
}
