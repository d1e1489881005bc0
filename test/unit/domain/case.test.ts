import { describe, expect, it } from 'vitest';
import { openCaseContext } from '../../../shared/domain/case.js';

const now = new Date('2026-01-02T03:04:05Z');

describe('opening a case from a request', () => {
  it('fills in a case id, the default concurrency and an open window', () => {
    const context = openCaseContext({}, 'duckdb', now);
    expect(context.caseId).toMatch(/^case-20260102T030405-[0-9a-f]{1,6}$/);
    expect(context).toMatchObject({
      engine: 'duckdb',
      maxConcurrency: 4,
      window: { from: null, to: null },
      huntIds: null,
    });
  });

  it('keeps what the responder asked for', () => {
    const context = openCaseContext(
      {
        caseId: 'IR-2024-017',
        from: '2024-05-01',
        huntIds: ['root-account-usage'],
        maxConcurrency: 8,
        reason: 'GuardDuty finding',
      },
      'athena',
      now,
    );
    expect(context).toMatchObject({
      caseId: 'IR-2024-017',
      window: { from: '2024-05-01T00:00:00.000Z', to: null },
      huntIds: ['root-account-usage'],
      maxConcurrency: 8,
      reason: 'GuardDuty finding',
    });
  });

  it.each([
    ['not an object', ['a list']],
    ['a case id that could escape the case folder', { caseId: '../other-case' }],
    ['a case id with a quote', { caseId: "x'; drop" }],
    ['a concurrency of zero', { maxConcurrency: 0 }],
    ['hunt ids that are not ids', { huntIds: ['Robert"); DROP'] }],
    ['a window given as a number', { from: 1714521600 }],
  ])('rejects %s', (_name, request) => {
    expect(() => openCaseContext(request, 'duckdb', now)).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
  });
});
