import { describe, expect, it } from 'vitest';
import { estimateAthenaCost, type ListedObject } from '../../../shared/domain/athena-estimate.js';

const MB = 2 ** 20;
const GB = 2 ** 30;
const TB = 2 ** 40;
const trail = (day: string, size: number): ListedObject => ({
  source: 'cloudtrail',
  key: `AWSLogs/111122223333/CloudTrail/eu-west-1/${day}/111122223333_CloudTrail_eu-west-1_x.json.gz`,
  size,
});

// https://aws.amazon.com/athena/pricing/: bytes scanned, rounded up to the megabyte, 10 MB minimum per query, $5 per TB.
describe('what a case would cost in Athena', () => {
  it('bills each hunt the compressed size of its sources, rounded up to the megabyte, at $5 per TB', () => {
    const estimate = estimateAthenaCost({
      objects: [
        trail('2024/05/01', 300 * GB),
        trail('2024/05/02', 200 * GB + 1),
        { source: 'vpcflow', key: 'f/2024/05/01/a.log.gz', size: 100 * GB },
      ],
      hunts: [
        { huntId: 'root-account-usage', sources: ['cloudtrail'] },
        { huntId: 'flow-to-known-bad', sources: ['vpcflow', 'cloudtrail'] },
      ],
      parquetPerSourceByte: 0.5,
    });
    expect(estimate.hunts).toEqual([
      {
        huntId: 'root-account-usage',
        bytes: 500 * GB + 1,
        billedBytes: 500 * GB + MB,
        costUsd: ((500 * GB + MB) / TB) * 5,
      },
      {
        huntId: 'flow-to-known-bad',
        bytes: 600 * GB + 1,
        billedBytes: 600 * GB + MB,
        costUsd: ((600 * GB + MB) / TB) * 5,
      },
    ]);
    expect(estimate.direct.billedBytes).toBe(1100 * GB + 2 * MB);
  });

  it('bills a query that reads almost nothing the 10 MB minimum', () => {
    const estimate = estimateAthenaCost({
      objects: [trail('2024/05/01', 1)],
      hunts: [
        { huntId: 'h', sources: ['cloudtrail'] },
        { huntId: 'no-logs', sources: ['alb'] },
      ],
      parquetPerSourceByte: 0.5,
    });
    expect(estimate.hunts.map((h) => [h.bytes, h.billedBytes])).toEqual([
      [1, 10 * MB],
      [0, 10 * MB],
    ]);
  });

  it('with a Parquet copy, reads the logs once and each hunt reads the smaller copy', () => {
    const hunts = Array.from({ length: 30 }, (_, i) => ({
      huntId: `h${i}`,
      sources: ['cloudtrail' as const],
    }));
    const estimate = estimateAthenaCost({
      objects: [trail('2024/05/01', 100 * GB)],
      hunts,
      parquetPerSourceByte: 0.25,
    });
    expect(estimate.direct.billedBytes).toBe(30 * 100 * GB);
    expect(estimate.withParquetCopy.copyBytes).toBe(100 * GB);
    expect(estimate.withParquetCopy.billedBytes).toBe(100 * GB + 30 * 25 * GB);
    expect(estimate.withParquetCopy.costUsd).toBeLessThan(estimate.direct.costUsd / 3);
  });

  it('leaves out delivery days outside the window widened by a day, and keeps keys with no day', () => {
    const estimate = estimateAthenaCost({
      objects: [
        trail('2024/04/29', 1 * GB),
        trail('2024/04/30', 2 * GB),
        trail('2024/05/03', 4 * GB),
        trail('2024/05/04', 8 * GB),
        { source: 'cloudtrail', key: 'flat/export.json.gz', size: 16 * GB },
      ],
      hunts: [{ huntId: 'h', sources: ['cloudtrail'] }],
      window: { from: '2024-05-01T00:00:00Z', to: '2024-05-02T23:59:59Z' },
      parquetPerSourceByte: 0.5,
    });
    expect(estimate.sourceBytes).toEqual({ cloudtrail: 22 * GB });
  });

  it('takes another price per TB, and refuses a negative one or a size that is no byte count', () => {
    const objects = [trail('2024/05/01', TB)];
    const hunts = [{ huntId: 'h', sources: ['cloudtrail' as const] }];
    expect(
      estimateAthenaCost({ objects, hunts, pricePerTbUsd: 6.75, parquetPerSourceByte: 1 }).direct.costUsd,
    ).toBe(6.75);
    expect(() => estimateAthenaCost({ objects, hunts, pricePerTbUsd: -1, parquetPerSourceByte: 1 })).toThrow(
      /price/,
    );
    expect(() =>
      estimateAthenaCost({ objects: [trail('2024/05/01', Number.NaN)], hunts, parquetPerSourceByte: 1 }),
    ).toThrow(/valid size/);
  });
});
