package io.nearcache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.internal.keys.SlotGroups;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The rules of a group's numbering, one step at a time. */
class GroupSyncTest {
  /** Every group's subscription up. */
  private static final boolean[] LISTENING = listening();

  private static boolean[] listening() {
    boolean[] all = new boolean[SlotGroups.DEFAULT];
    Arrays.fill(all, true);
    return all;
  }

  /** A sync whose every group was repaired once, at number 0 of history "h". */
  private static GroupSync synced() {
    GroupSync sync = new GroupSync(SlotGroups.defaults());
    repairAll(sync, 0);
    assertThat(sync.trusted()).isTrue();
    return sync;
  }

  private static void repairAll(GroupSync sync, long through) {
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    for (int group : repair.groups()) {
      sync.repaired(repair, group, "h", through);
    }
    sync.finish();
  }

  @Test
  void aNewClientTrustsNothingUntilEveryGroupWasRead() {
    GroupSync sync = new GroupSync(SlotGroups.defaults());
    assertThat(sync.trusted()).isFalse();
    assertThat(sync.repairDue()).isTrue();
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    assertThat(repair.groups()).hasSize(SlotGroups.DEFAULT);
    for (int group = 1; group < SlotGroups.DEFAULT; group++) {
      sync.repaired(repair, group, "h", 0);
    }
    assertThat(sync.finish()).as("group 0 not read yet").isFalse();
    sync.repaired(sync.beginRepair(LISTENING), 0, "h", 0);
    assertThat(sync.finish()).isTrue();
  }

  @Test
  void theNextNumberKeepsAGroupSyncedAndASkipUnsyncsOnlyItsGroup() {
    GroupSync sync = synced();
    assertThat(sync.heard(3, 1)).isFalse();
    assertThat(sync.heard(3, 2)).isFalse();
    assertThat(sync.trusted()).isTrue();
    assertThat(sync.heard(3, 4)).as("3 never arrived").isTrue();
    assertThat(sync.trusted()).isFalse();
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    assertThat(repair.groups()).containsExactly(3);
    assertThat(repair.applied(3)).isEqualTo(2);
    sync.repaired(repair, 3, "h", 4); // the replay found 3 and 4
    assertThat(sync.finish()).isTrue();
    assertThat(sync.applied(3)).isEqualTo(4);
  }

  @Test
  void numbersHeardDuringARepairCarryTheGroupPastWhatTheLogShowed() {
    GroupSync sync = synced();
    sync.lost();
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    // The repair reads the counter at 5; changes 6 and 7 arrive before it reports.
    sync.heard(1, 6);
    sync.heard(1, 7);
    for (int group : repair.groups()) {
      sync.repaired(repair, group, "h", group == 1 ? 5 : 0);
    }
    assertThat(sync.finish()).isTrue();
    assertThat(sync.applied(1)).isEqualTo(7);
    assertThat(sync.heard(1, 8)).isFalse();
  }

  @Test
  void aNumberThatGoesBackUnsyncsItsGroup() {
    GroupSync sync = synced();
    sync.heard(2, 1);
    sync.heard(2, 2);
    assertThat(sync.heard(2, 1)).as("a new history numbers from 1 again").isTrue();
    assertThat(sync.trusted()).isFalse();
  }

  @Test
  void aLossDuringARepairVoidsItButKeepsWhatItApplied() {
    GroupSync sync = synced();
    sync.lost();
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    sync.lost(); // the subscriber thread, while the repair reads the logs
    for (int group : repair.groups()) {
      sync.repaired(repair, group, "h", 9);
    }
    assertThat(sync.finish()).as("the repair began before the loss").isFalse();
    assertThat(sync.applied(0)).isEqualTo(9);
    repairAll(sync, 9);
    assertThat(sync.trusted()).isTrue();
  }

  /**
   * The race the previous {@code Contact.recover} lost: a loss reported from the subscriber thread
   * while a repair was finishing left the client trusted. Every change of trust is now one of
   * these atomic steps, so every interleaving of a loss with a repair is one of these positions:
   * before each group's report, or before the end. At each, the client must end untrusted, and
   * trust again only after another repair.
   */
  @Test
  void aLossAtAnyStepOfARepairLeavesTheClientUntrusted() {
    for (int position = 0; position <= SlotGroups.DEFAULT; position++) {
      GroupSync sync = synced();
      sync.lost();
      GroupSync.Repair repair = sync.beginRepair(LISTENING);
      for (int group = 0; group < SlotGroups.DEFAULT; group++) {
        if (group == position) {
          sync.lost();
        }
        sync.repaired(repair, group, "h", 1);
      }
      if (position == SlotGroups.DEFAULT) {
        sync.lost();
      }
      assertThat(sync.finish()).as("a loss before step %d", position).isFalse();
      assertThat(sync.trusted()).isFalse();
      repairAll(sync, 1);
      assertThat(sync.trusted()).as("after the next repair, loss at step %d", position).isTrue();
    }
  }

  @Test
  void aHoleThatTheLogDidNotCoverNeedsAnotherRepair() {
    GroupSync sync = synced();
    sync.heard(4, 1);
    sync.heard(4, 3); // 2 is missing
    GroupSync.Repair repair = sync.beginRepair(LISTENING);
    sync.repaired(repair, 4, "h", 1); // a log that showed only 1: 3 came from no change
    assertThat(sync.finish()).isFalse();
    assertThat(sync.repairDue()).isTrue();
    repairAll(sync, 1);
    assertThat(sync.trusted()).isTrue();
  }

  @Test
  void aClosedClientIsNeverTrustedAgain() {
    GroupSync sync = synced();
    sync.close();
    assertThat(sync.trusted()).isFalse();
    assertThat(sync.repairDue()).isFalse();
    sync.lost();
    repairAll(sync, 0);
    assertThat(sync.trusted()).isFalse();
  }
}
