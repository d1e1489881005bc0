import { describe, expect, it } from 'vitest';
import {
  closeTimeWindow,
  DEFAULT_LOOKBACK_DAYS,
  deliveryDays,
  parseTimeWindow,
  UNBOUNDED_FROM,
  UNBOUNDED_TO,
} from '../../../shared/domain/time-window.js';
import { InvalidRequestError } from '../../../shared/errors.js';

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

describe('closing a window when the case opens', () => {
  const openedAt = '2024-05-10T08:00:00.000Z';

  it('keeps a window that has both ends', () => {
    const window = { from: '2024-05-01T00:00:00.000Z', to: '2024-05-02T00:00:00.000Z' };
    expect(closeTimeWindow(window, openedAt, 'lookback')).toEqual(window);
    expect(closeTimeWindow(window, openedAt, 'unbounded')).toEqual(window);
  });

  it(`in AWS, ends an open window when the case opened and starts it ${DEFAULT_LOOKBACK_DAYS} days earlier`, () => {
    expect(closeTimeWindow({ from: null, to: null }, openedAt, 'lookback')).toEqual({
      from: '2024-02-10T08:00:00.000Z',
      to: openedAt,
    });
  });

  it('counts the lookback back from an end older than the lookback, never making a window that starts after it ends', () => {
    expect(closeTimeWindow({ from: null, to: '2023-01-31T23:59:59.999Z' }, openedAt, 'lookback')).toEqual({
      from: '2022-11-02T23:59:59.999Z',
      to: '2023-01-31T23:59:59.999Z',
    });
  });

  it('refuses a start after the moment the case opened, when the end is open', () => {
    expect(() =>
      closeTimeWindow({ from: '2024-06-01T00:00:00.000Z', to: null }, openedAt, 'lookback'),
    ).toThrow(InvalidRequestError);
  });

  it('leaves the open ends of a folder of evidence unbounded: it is read whole', () => {
    expect(closeTimeWindow({ from: null, to: '2024-05-02T00:00:00.000Z' }, openedAt, 'unbounded')).toEqual({
      from: UNBOUNDED_FROM,
      to: '2024-05-02T00:00:00.000Z',
    });
    expect(closeTimeWindow({ from: null, to: null }, openedAt, 'unbounded')).toEqual({
      from: UNBOUNDED_FROM,
      to: UNBOUNDED_TO,
    });
  });
});
