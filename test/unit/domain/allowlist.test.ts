import { describe, expect, it } from 'vitest';
import { allowlistMatcher, mergeAllowlists, parseAllowlist } from '../../../shared/domain/allowlist.js';

const row = (actor: string | null, source_ip: string | null, user_agent: string | null = null) => ({
  actor,
  source_ip,
  user_agent,
});

describe('the allowlist', () => {
  const allowlist = parseAllowlist(
    {
      principals: ['arn:aws:sts::*:assumed-role/github-actions-deploy/*'],
      sourceIps: ['10.0.0.0/8', '198.51.100.24'],
      userAgents: ['Datadog/*'],
      hunts: { 'root-account-usage': { principals: ['arn:aws:iam::111122223333:root'] } },
    },
    'test',
  );

  it('matches principals by pattern and says which entry matched', () => {
    const match = allowlistMatcher(allowlist, 'any-hunt');
    expect(
      match(row('arn:aws:sts::111122223333:assumed-role/github-actions-deploy/run-42', '203.0.113.1')),
    ).toBe('principal arn:aws:sts::*:assumed-role/github-actions-deploy/*');
    expect(
      match(row('arn:aws:sts::111122223333:assumed-role/github-actions-deploy-evil/x', '203.0.113.1')),
    ).toBeNull();
  });

  it('matches addresses inside a CIDR range and exact addresses, and ignores values that are not IPs', () => {
    const match = allowlistMatcher(allowlist, 'any-hunt');
    expect(match(row(null, '10.20.30.40'))).toBe('source IP 10.0.0.0/8');
    expect(match(row(null, '198.51.100.24'))).toBe('source IP 198.51.100.24');
    expect(match(row(null, '198.51.100.25'))).toBeNull();
    expect(match(row(null, 'lambda.amazonaws.com'))).toBeNull();
    expect(match(row(null, '211.9.016.253'))).toBeNull();
  });

  it('matches user agents by pattern', () => {
    expect(allowlistMatcher(allowlist, 'x')(row(null, null, 'Datadog/1.0 agent'))).toBe(
      'user agent Datadog/*',
    );
  });

  it('applies per-hunt entries to that hunt only', () => {
    const root = row('arn:aws:iam::111122223333:root', '203.0.113.9');
    expect(allowlistMatcher(allowlist, 'root-account-usage')(root)).toBe(
      'principal arn:aws:iam::111122223333:root',
    );
    expect(allowlistMatcher(allowlist, 'iam-admin-policy-attached')(root)).toBeNull();
  });

  it('lets a case add to the deployment list', () => {
    expect(mergeAllowlists({ sourceIps: ['10.0.0.0/8'] }, { sourceIps: ['192.0.2.1'] })).toEqual({
      sourceIps: ['10.0.0.0/8', '192.0.2.1'],
    });
  });

  it.each([
    [{ sourceIps: ['10.0.0.0/33'] }, /CIDR/],
    [{ principal: ['x'] }, /unknown allowlist keys principal/],
    [{ principals: 'arn:aws:iam::1:root' }, /list of strings/],
  ])('rejects a malformed list %j', (raw, message) => {
    expect(() => parseAllowlist(raw, 'allowlist.yaml')).toThrow(message);
  });
});
