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

  it('closes the window once, as the engine searches it: back from the end in AWS, whole for a folder', () => {
    const request = { to: '2024-05-03' };
    expect(openCaseContext(request, 'athena', now).closedWindow).toEqual({
      from: '2024-02-03T23:59:59.999Z',
      to: '2024-05-03T23:59:59.999Z',
    });
    expect(openCaseContext(request, 'duckdb', now).closedWindow).toEqual({
      from: '1970-01-01T00:00:00.000Z',
      to: '2024-05-03T23:59:59.999Z',
    });
    expect(openCaseContext({}, 'athena', now).closedWindow).toEqual({
      from: '2025-10-04T03:04:05.000Z',
      to: '2026-01-02T03:04:05.000Z',
    });
    expect(() => openCaseContext({ from: '2027-01-01' }, 'athena', now)).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
  });

  it('keeps a scan budget in bytes, and none when the request sets none', () => {
    expect(openCaseContext({ maxScanBytes: 2 ** 30 }, 'athena', now).maxScanBytes).toBe(2 ** 30);
    expect(openCaseContext({}, 'athena', now)).not.toHaveProperty('maxScanBytes');
  });

  it.each([
    ['not an object', ['a list']],
    ['a case id that could escape the case folder', { caseId: '../other-case' }],
    ['a case id with a quote', { caseId: "x'; drop" }],
    ['a concurrency of zero', { maxConcurrency: 0 }],
    ['a scan budget of zero bytes', { maxScanBytes: 0 }],
    ['a scan budget in fractions of a byte', { maxScanBytes: 1.5 }],
    ['a scan budget given as text', { maxScanBytes: '10GB' }],
    ['hunt ids that are not ids', { huntIds: ['Robert"); DROP'] }],
    ['a window given as a number', { from: 1714521600 }],
  ])('rejects %s', (_name, request) => {
    expect(() => openCaseContext(request, 'duckdb', now)).toThrow(
      expect.objectContaining({ name: 'InvalidRequestError' }),
    );
  });
});
