import { describe, expect, it } from 'vitest';
import { rowRecordId } from '../../../shared/domain/hunt-result.js';

describe('rowRecordId: the record id is found by column name, not position', () => {
  it('takes eventid wherever a CloudTrail hunt puts it', () => {
    expect(
      rowRecordId(['event_time', 'eventid', 'outcome'], {
        event_time: 't',
        eventid: 'e1',
        outcome: 'success',
      }),
    ).toBe('e1');
  });

  it('takes the named id column of other sources (EKS audit, GuardDuty, ALB)', () => {
    expect(rowRecordId(['event_time', 'actor', 'auditid'], { auditid: 'a1' })).toBe('a1');
    expect(rowRecordId(['region', 'finding_id', 'severity'], { finding_id: 'f1', severity: '8' })).toBe('f1');
    expect(rowRecordId(['region', 'trace_id'], { trace_id: 'Root=1-abc' })).toBe('Root=1-abc');
  });

  it('gives none for sources whose seventh column is not a record id (flow logs, DNS logs)', () => {
    expect(
      rowRecordId(['event_time', 'event_name', 'actor', 'source_ip', 'account_id', 'region', 'vpc_id'], {
        vpc_id: 'vpc-1',
      }),
    ).toBeNull();
  });
});
