/**
 * Recall of the hunt library on real attack traffic: CloudTrail captured when DataDog detonated the
 * Stratus Red Team techniques in a real AWS account (github.com/DataDog/stratus-red-team,
 * docs/detonation-logs, Apache-2.0), copied into test/fixtures/stratus-red-team with its README.
 * labels.jsonl marks each technique's defining calls. Every one that succeeded must be reported by
 * a hunt of medium severity or higher; one that failed changed nothing, and must be reported as an
 * attempt, by a hunt of any severity (the denied-attempt hunts are low, or medium when repeated).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../shared/domain/hunt-definition.js';
import { selectHunts } from '../../shared/domain/hunt-selection.js';
import { loadHuntLibrary } from '../../shared/hunts/hunt-library.js';
import { DuckDbQueryEngine } from '../../shared/local/adapters/duckdb-query-engine.js';
import { cloudtrailSource } from '../../shared/sources/cloudtrail-source.js';
import { cloudtrailActivityViewSql, cloudtrailEventsViewSql } from '../../shared/sources/cloudtrail-view.js';
import { fixtureData } from '../support/fixture-data.js';

const recordsDir = fixtureData('stratus-red-team/records_gz');
const labelsFile = fixtureData('stratus-red-team/labels.jsonl');
const changeSeverities = new Set(['medium', 'high', 'critical']);

interface Label {
  source: string;
  technique: string;
  eventID: string;
  eventName: string;
  errorCode?: string;
  expected: boolean;
}

async function readKeyLabels(): Promise<Label[]> {
  const lines = (await readFile(labelsFile, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  return lines
    .map((line) => JSON.parse(line) as Label)
    .filter((label) => label.source === 'stratus-red-team' && label.expected);
}

/** Every event id a hunt reports: its `eventid` column, or the sampled `eventids` of a behaviour row. */
function reportedEventIds(rows: Record<string, string | null>[]): string[] {
  return rows.flatMap((row) => [
    ...(row.eventid ? [row.eventid] : []),
    ...(row.eventids ? row.eventids.split(',') : []),
  ]);
}

/** A change by a medium-or-higher hunt; an attempt (a call with an error code) by any hunt. */
function isReported(label: Label, hunts: Set<string> | undefined): boolean {
  if (!hunts) return false;
  return Boolean(label.errorCode) || [...hunts].some((hunt) => !hunt.endsWith(')'));
}

describe('Stratus Red Team coverage', () => {
  let engine: DuckDbQueryEngine;
  let hunts: HuntDefinition[];
  let labels: Label[];
  /** event id -> the hunts that reported it */
  const reportedBy = new Map<string, Set<string>>();

  beforeAll(async () => {
    labels = await readKeyLabels();
    // The hunts a case with CloudTrail and no indicators runs (pivot hunts need indicators).
    const library = await loadHuntLibrary();
    const selected = new Set(selectHunts(library, ['cloudtrail'], null).run);
    hunts = library.filter((hunt) => selected.has(hunt.id));
    const files = (await readdir(recordsDir)).filter((name) => name.endsWith('.json.gz')).sort();
    engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 2 });
    const paths = files.map((name) => join(recordsDir, name));
    await engine.execute(
      `CREATE TABLE cloudtrail AS ${cloudtrailSource.duckdbSelect(paths, 'records-object', true)}`,
    );
    await engine.execute(cloudtrailEventsViewSql());
    await engine.execute(cloudtrailActivityViewSql('"cloudtrail_activity"', '"cloudtrail_events"'));
    for (const hunt of hunts) {
      const result = await engine.run(hunt.sql, { maxRows: 100_000 });
      for (const id of reportedEventIds(result.rows)) {
        const seen = reportedBy.get(id) ?? new Set<string>();
        seen.add(changeSeverities.has(hunt.severity) ? hunt.id : `${hunt.id} (${hunt.severity})`);
        reportedBy.set(id, seen);
      }
    }
  });

  afterAll(() => engine?.close());

  it('reports every technique-defining event of every technique', () => {
    expect(labels.length).toBeGreaterThan(0);
    const techniques = [...new Set(labels.map((label) => label.technique))].sort();
    const summary = techniques.map((technique) => {
      const hits = new Set(
        labels
          .filter((label) => label.technique === technique)
          .flatMap((label) => [...(reportedBy.get(label.eventID) ?? [])]),
      );
      return `${String(hits.size).padStart(2)} hunt(s)  ${technique}  ${[...hits].sort().join(', ')}`;
    });
    console.log(`Hunts reporting each Stratus technique:\n${summary.join('\n')}`);
    const missed = techniques.flatMap((technique) => {
      const unreported = labels.filter(
        (label) => label.technique === technique && !isReported(label, reportedBy.get(label.eventID)),
      );
      if (unreported.length === 0) return [];
      const names = [...new Set(unreported.map((label) => label.eventName))].join(', ');
      return [
        `${technique}: ${unreported.length} event(s) not reported (${names}), e.g. ${unreported[0]?.eventID}`,
      ];
    });
    expect(missed, `techniques with defining events no hunt reported:\n${missed.join('\n')}`).toEqual([]);
  });
});
