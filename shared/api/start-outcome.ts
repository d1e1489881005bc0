/** The schedule that runs the case again: its name, its rate, when it stops. */
export interface ScheduleOutcome {
  name: string;
  every: string;
  endsAt: string;
}

/** What starting an investigation came to, whatever the trigger and whatever runs the workflow. */
export type StartOutcome =
  | {
      kind: 'started';
      caseId: string;
      caseFolder: string;
      executionArn: string;
      startDate?: string;
      /** The run it started, for a re-run of an existing case. */
      run?: number;
      schedule?: ScheduleOutcome;
    }
  | {
      kind: 'existing' | 'conflict';
      caseId: string;
      caseFolder: string;
      executionArn: string;
      status?: string;
      startDate?: string;
      schedule?: ScheduleOutcome;
    }
  | { kind: 'invalid'; message: string }
  | { kind: 'busy'; reason: string };
