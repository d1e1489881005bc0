import { describe, expect, it } from 'vitest';
import { deliveryDays, parseTimeWindow } from '../../../shared/domain/time-window.js';

describe('the investigation window', () => {
  it('is open at both ends when nothing is given: the logs set it', () => {
    expect(parseTimeWindow()).toEqual({ from: null, to: null });
  });

  it('normalises timestamps with offsets to UTC', () => {
    expect(parseTimeWindow('2024-05-01T12:00:00+02:00', '2024-05-01T13:00:00Z')).toEqual({
      from: '2024-05-01T10:00:00.000Z',
      to: '2024-05-01T13:00:00.000Z',
    });
  });

  it('reads a date-only end as the end of that day', () => {
    expect(parseTimeWindow('2024-05-01', '2024-05-02')).toEqual({
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-02T23:59:59.999Z',
    });
  });

  it('treats a timestamp without offset as UTC', () => {
    expect(parseTimeWindow('2024-05-01T08:30:00').from).toBe('2024-05-01T08:30:00.000Z');
  });

  it.each([['yesterday'], ['2024-13-01'], ['2024-05-01; DROP TABLE x']])('rejects %s', (value) => {
    expect(() => parseTimeWindow(value)).toThrow(/from/);
  });

  it('rejects a window that ends before it starts', () => {
    expect(() => parseTimeWindow('2024-05-02', '2024-05-01T00:00:00Z')).toThrow(/after it ends/);
  });

  it('widens the delivery days by one on each side', () => {
    expect(deliveryDays({ from: '2024-05-01T00:00:00.000Z', to: '2024-05-01T23:00:00.000Z' })).toEqual({
      first: '2024-04-30',
      last: '2024-05-02',
    });
  });
});
