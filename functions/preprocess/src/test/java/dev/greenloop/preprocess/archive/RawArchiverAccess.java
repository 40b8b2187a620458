package dev.greenloop.preprocess.archive;

import jakarta.enterprise.context.ApplicationScoped;

/** Lets tests stop an archive run part-way, as a crash would. */
@ApplicationScoped
public class RawArchiverAccess {

    private final RawArchiver archiver;
    private final ArchiveState state;

    public RawArchiverAccess(RawArchiver archiver, ArchiveState state) {
        this.archiver = archiver;
        this.state = state;
    }

    /** Plans and writes, then "crashes": no commit, the plan stays unfinished. */
    public void writeWithoutCommit() {
        state.tryLock(java.time.Duration.ofMinutes(1));
        try {
            archiver.writeWithoutCommit();
        } finally {
            state.unlock();
        }
    }

    /** The records of each thread's share of the unfinished plan, as a pass of two threads hands them out. */
    public java.util.List<Long> sharesOfUnfinishedPlan() {
        return PlanSplitter.tasks(state.unfinishedPlan(), 2).stream().map(PlanSplitter::records).toList();
    }
}
