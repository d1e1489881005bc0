import { describe, expect, it } from 'vitest';
import { estimateAthenaCost, windowSourceBytes } from '../../../shared/domain/athena-estimate.js';
import { NOT_BILLED, scanCostLine, scanCostOfCase } from '../../../shared/domain/scan-cost.js';

const MB = 2 ** 20;
const TB = 2 ** 40;

describe("a case's scan and its cost", () => {
  it('bills every query Athena ran, DDL and copy included, each rounded up to the megabyte with 10 MB at least', () => {
    const cost = scanCostOfCase({
      engine: 'athena',
      pricePerTbUsd: 5,
      estimate: null,
      queries: [
        { purpose: 'create the case database', queryId: 'q-1', bytesScanned: 0 },
        { purpose: 'copy cloudtrail once', queryId: 'q-2', bytesScanned: 300 * MB + 1 },
        { purpose: 'hunt root-account-usage', queryId: 'q-3', bytesScanned: 2 * MB },
      ],
    });
    const billedBytes = 10 * MB + 301 * MB + 10 * MB;
    expect(cost.scanned).toEqual({
      bytes: 302 * MB + 1,
      billedBytes,
      costUsd: (billedBytes / TB) * 5,
      queries: 3,
    });
    expect(cost.note).toBe('no estimate: the inventory did not list the objects of the window');
    expect(scanCostLine(cost)).toBe(
      `no estimate, scanned 302.0 MiB in 3 queries (billed 321.0 MiB), cost USD ${((billedBytes / TB) * 5).toFixed(4)} at USD 5 per TB`,
    );
  });

  it('locally keeps the estimate and says the embedded engine bills nothing', () => {
    const estimate = estimateAthenaCost({
      sourceBytes: windowSourceBytes([{ source: 'cloudtrail', key: 'a.json.gz', size: 50 * MB }]),
      hunts: [{ huntId: 'h', scans: [{ source: 'cloudtrail', columns: ['eventid'], eventNames: null }] }],
      onePassMinHunts: 3,
      profiles: {},
    });
    const cost = scanCostOfCase({ engine: 'duckdb', pricePerTbUsd: 5, estimate, queries: [] });
    expect(cost.scanned).toBeNull();
    expect(cost.estimated).toEqual(estimate.direct);
    expect(scanCostLine(cost)).toBe(`estimated 50.0 MiB, ${NOT_BILLED}`);
  });
});
