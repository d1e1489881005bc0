import type { NextRunOutcome } from '../../api/case-reruns.js';
import { type CaseSchedule, scheduleEnd } from '../../domain/case-schedule.js';

interface Entry {
  caseId: string;
  everyMs: number;
  endsAt: number;
  nextAt: number;
}

/**
 * `casefile serve`'s stand-in for EventBridge Scheduler: each scheduled case runs again every so
 * often until its days are over, in this process. `tick()` runs what is due; the server calls it on a
 * timer, and a test calls it with a clock of its own.
 */
export class LocalSchedules {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => Date,
    private readonly runNext: (caseId: string) => Promise<NextRunOutcome>,
    private readonly log: (line: string) => void = () => {},
  ) {}

  add(
    caseId: string,
    schedule: CaseSchedule,
    startedAt: Date,
  ): { name: string; every: string; endsAt: string } {
    const endsAt = scheduleEnd(schedule, startedAt);
    if (!this.entries.has(caseId)) {
      const everyMs = schedule.everyMinutes * 60_000;
      this.entries.set(caseId, {
        caseId,
        everyMs,
        endsAt: endsAt.getTime(),
        nextAt: startedAt.getTime() + everyMs,
      });
    }
    return { name: caseId, every: schedule.every, endsAt: endsAt.toISOString() };
  }

  /** The cases still scheduled. */
  get scheduled(): string[] {
    return [...this.entries.keys()];
  }

  /** Runs every schedule that is due: once however many ticks were missed, as the next run covers the gap. */
  async tick(): Promise<NextRunOutcome[]> {
    const now = this.now().getTime();
    const outcomes: NextRunOutcome[] = [];
    for (const entry of [...this.entries.values()]) {
      if (entry.nextAt > now) continue;
      // Past its end a schedule runs no more, even a tick missed before it (as Scheduler's EndDate).
      if (entry.nextAt >= entry.endsAt || now >= entry.endsAt) {
        this.entries.delete(entry.caseId);
        this.log(`schedule of case ${entry.caseId} ended`);
        continue;
      }
      while (entry.nextAt <= now) entry.nextAt += entry.everyMs;
      const outcome = await this.runNext(entry.caseId);
      this.log(
        outcome.kind === 'skipped'
          ? `scheduled run of case ${entry.caseId} skipped: run ${outcome.running.run} is still going`
          : `scheduled run of case ${entry.caseId}: ${outcome.kind}`,
      );
      outcomes.push(outcome);
    }
    return outcomes;
  }
}
