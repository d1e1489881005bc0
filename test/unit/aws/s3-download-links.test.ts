import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { handleApiRequest } from '../../../shared/api/investigations-api.js';
import { MAX_PRESIGNED_SECONDS, S3DownloadLinks } from '../../../shared/aws/s3-download-links.js';
import { openedCaseRecord } from '../../../shared/domain/case-files/case-record.js';
import { caseFiles } from '../../../shared/domain/case-files.js';
import { writeCaseFile } from '../../../shared/ports/evidence-store.js';
import { testContext } from '../../support/fake-case-adapters.js';
import { huntResult } from '../../support/hunt-results.js';
import { MemoryEvidenceStore } from '../../support/memory-evidence-store.js';

const signedAt = new Date('2024-05-01T10:00:00Z');
const csv = { fileName: 'c1-root-login.csv', contentType: 'text/csv; charset=utf-8' };

/** A Lambda function signs with its role's temporary credentials: a session token and an end. */
function links(expiration?: Date) {
  const client = new S3Client({
    region: 'eu-west-1',
    credentials: {
      accessKeyId: 'ASIAEXAMPLEROLEKEY01',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      sessionToken: 'role-session-token',
      ...(expiration ? { expiration } : {}),
    },
  });
  const mock = mockClient(client);
  return {
    mock,
    links: new S3DownloadLinks({ client, bucket: 'casefile-cases', prefix: 'cases/', now: () => signedAt }),
  };
}

describe('presigned download links to case files', () => {
  it('signs a GET of the case file for the asked seconds, from the fixed signing time, without calling S3', async () => {
    const { mock, links: signer } = links();
    const link = await signer.link('c1/hunts/root-login.csv', { ...csv, expiresInSeconds: 900 });
    const url = new URL(link.url);
    expect(url.origin).toBe('https://casefile-cases.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/cases/c1/hunts/root-login.csv');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20240501T100000Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'ASIAEXAMPLEROLEKEY01/20240501/eu-west-1/s3/aws4_request',
    );
    // The URL carries the signer's session: it is only as good as the role's credentials.
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('role-session-token');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="c1-root-login.csv"',
    );
    expect(url.searchParams.get('response-content-type')).toBe('text/csv; charset=utf-8');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(link.expiresAt).toBe('2024-05-01T10:15:00.000Z');
    expect(mock.calls()).toHaveLength(0);
  });

  it('signs each file and expiry apart: the signature covers the key and the seconds', async () => {
    const { links: signer } = links();
    const signature = async (key: string, seconds: number) =>
      new URL((await signer.link(key, { ...csv, expiresInSeconds: seconds })).url).searchParams.get(
        'X-Amz-Signature',
      );
    const first = await signature('c1/hunts/root-login.csv', 900);
    expect(await signature('c1/hunts/root-login.csv', 900)).toBe(first);
    expect(await signature('c2/hunts/root-login.csv', 900)).not.toBe(first);
    expect(await signature('c1/hunts/root-login.csv', 901)).not.toBe(first);
  });

  it('says the link ends when the temporary credentials that signed it do, if that is sooner', async () => {
    const { links: signer } = links(new Date('2024-05-01T10:05:00Z'));
    const link = await signer.link('c1/report.md', { ...csv, expiresInSeconds: 3600 });
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(link.expiresAt).toBe('2024-05-01T10:05:00.000Z');
    const later = links(new Date('2024-05-01T16:00:00Z')).links;
    expect((await later.link('c1/report.md', { ...csv, expiresInSeconds: 3600 })).expiresAt).toBe(
      '2024-05-01T11:00:00.000Z',
    );
  });

  it('refuses an expiry S3 would reject (over 7 days, or none) and a key leaving the case folders', async () => {
    const { links: signer } = links();
    await expect(
      signer.link('c1/report.md', { ...csv, expiresInSeconds: MAX_PRESIGNED_SECONDS + 1 }),
    ).rejects.toThrow(/1 to 604800 seconds/);
    await expect(signer.link('c1/report.md', { ...csv, expiresInSeconds: 0 })).rejects.toThrow(/1 to 604800/);
    await expect(signer.link('../other/report.md', { ...csv, expiresInSeconds: 60 })).rejects.toThrow(
      /not a key inside the case folders/,
    );
  });
});

describe('GET ...?as=link in AWS', () => {
  it("answers a presigned URL of the case file under the bucket's case prefix, with a plain file name", async () => {
    const store = new MemoryEvidenceStore();
    await writeCaseFile(
      store,
      caseFiles('c1').huntResult('sigma:rule-1'),
      huntResult({ huntId: 'sigma:rule-1' }),
    );
    await store.put('c1/hunts/sigma:rule-1.csv', 'event_time\n');
    await writeCaseFile(
      store,
      caseFiles('c1').caseRecord,
      openedCaseRecord({ ...testContext, caseId: 'c1' }, {}, 'memory://c1/'),
    );
    const { links: signer } = links();
    const answer = await handleApiRequest(
      {
        method: 'GET',
        path: '/investigations/c1/hunts/sigma:rule-1',
        query: { as: 'link' },
        headers: {},
        body: null,
      },
      {
        store,
        downloadLink: (key, request) => signer.link(key, request),
        start: async () => {
          throw new Error('a GET starts nothing');
        },
        knownHuntIds: async () => new Set(),
        now: () => signedAt,
        isStarting: async () => false,
      },
    );
    expect(answer.statusCode).toBe(200);
    const body = JSON.parse(answer.body);
    expect(body).toMatchObject({ fileName: 'c1-sigma_rule-1.csv', expiresAt: '2024-05-01T10:15:00.000Z' });
    const url = new URL(body.url);
    expect(decodeURIComponent(url.pathname)).toBe('/cases/c1/hunts/sigma:rule-1.csv');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      'attachment; filename="c1-sigma_rule-1.csv"',
    );
  });
});
