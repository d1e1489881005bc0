/**
 * Lineage on real attack traffic: the Stratus Red Team detonation logs kept in
 * test/fixtures/stratus-red-team (Apache-2.0, see its README). Every role session whose AssumeRole is
 * in the logs must be traced to it, with the caller's key and address.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbQueryEngine } from '../../shared/local/adapters/duckdb-query-engine.js';
import { cloudtrailSource } from '../../shared/sources/cloudtrail-source.js';
import { buildLineage, type Lineage, mintingEventNames } from '../../shared/story/lineage.js';
import { parseStoryEvents, type StoryEvent } from '../../shared/story/story-event.js';
import { credentialUseSql, readCredentialUse, storyEventsSql } from '../../shared/story/story-queries.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/stratus-red-team');

describe('credential lineage on the Stratus Red Team detonations', () => {
  let engine: DuckDbQueryEngine;
  let events: StoryEvent[];
  let lineage: Lineage;
  let quarantined: number;

  beforeAll(async () => {
    const files = (await readdir(fixtures))
      .filter((f) => f.endsWith('.json.gz'))
      .map((f) => join(fixtures, f));
    engine = await DuckDbQueryEngine.open({ memoryLimit: '1GB', threads: 1 });
    await engine.execute(
      `CREATE TABLE cloudtrail AS ${cloudtrailSource.duckdbSelect(files, 'records-object', true)}`,
    );
    const storyRows = await engine.run(storyEventsSql, { parameters: [mintingEventNames.join('\n')] });
    const parsed = parseStoryEvents(storyRows.rows);
    events = parsed.events;
    quarantined = parsed.quarantined.length;
    const uses = (await engine.run(credentialUseSql)).rows.map(readCredentialUse);
    lineage = buildLineage(events, uses);
  });

  afterAll(() => engine?.close());

  it('traces every used role session whose AssumeRole the logs hold to that call, its caller key and address', () => {
    const minted = new Map(
      events
        .filter((e) => e.eventName.startsWith('AssumeRole') && !e.errorCode)
        .map((e) => [
          String((e.response.credentials as { accessKeyId?: string } | undefined)?.accessKeyId),
          e,
        ]),
    );
    const sessions = lineage.nodes.filter((n) => n.use && n.id.startsWith('ASIA') && minted.has(n.id));
    expect(quarantined).toBe(0);
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    for (const session of sessions) {
      const assume = minted.get(session.id) as StoryEvent;
      expect(session.mintedBy, session.id).toMatchObject({
        eventId: assume.eventId,
        callerKey: assume.accessKeyId,
        sourceIp: assume.sourceIp,
      });
      expect(session.parent).toBe(assume.accessKeyId);
    }
  });

  it('mints nothing from the denied AssumeRole calls the tool retried', () => {
    const denied = events.filter((e) => e.eventName === 'AssumeRole' && e.errorCode === 'AccessDenied');
    expect(denied.length).toBeGreaterThan(0);
    const mintingIds = new Set(lineage.nodes.map((n) => n.mintedBy?.eventId));
    expect(denied.filter((e) => mintingIds.has(e.eventId))).toEqual([]);
  });

  it('traces the federated user session to the GetFederationToken that created it', () => {
    const federated = lineage.nodes.find((n) => n.kind === 'federation token');
    expect(federated).toMatchObject({ mintedBy: { eventName: 'GetFederationToken' }, use: { events: 1 } });
    expect(federated?.principal).toMatch(/federated-user\/stratus_red_team$/);
  });

  it('says where the logs do not hold the origin: stolen instance credentials have no parent', () => {
    const stolen = lineage.sessions.filter((s) => s.chain.length === 1 && s.credential.startsWith('ASIA'));
    expect(stolen.length).toBeGreaterThan(0);
    expect(stolen.every((s) => lineage.nodes.find((n) => n.id === s.credential)?.mintedBy === null)).toBe(
      true,
    );
  });
});
