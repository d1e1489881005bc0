import { toolOf } from '../story/closure.js';
import type { CredentialNode } from '../story/lineage.js';
import type { StoryFiles } from '../story/story-files.js';
import { code, text } from './markdown.js';

const MAX_LINEAGE_ROWS = 30;

/** "What is still open": the attacker's persistence and exposure no later event undid, first in the report. */
export function renderStillOpen(story: StoryFiles): string[] {
  const { items, endOfLogs } = story.openItems;
  const open = items.filter((i) => !i.closed);
  const out = ['## What is still open at the end of the logs', ''];
  if (items.length === 0) return [...out, 'The attacker left no persistence or exposure the logs show.', ''];
  out.push(
    `${open.length} of ${items.length} thing(s) the attacker created or opened were not undone by ${text(endOfLogs ?? 'the end of the logs')} (\`open-items.json\`).`,
    '',
    '| still open | resource | account | opened by | when | actor | from | outside accounts | note |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const i of open) {
    out.push(
      cells([
        i.kind,
        i.resource.replace(/^[a-z-]+\//, ''),
        i.account,
        i.opened.eventName,
        i.opened.time,
        i.opened.actor,
        i.opened.sourceIp,
        i.outsideAccounts.join(', '),
        i.note ?? '',
      ]),
    );
  }
  const closed = items.filter((i) => i.closed);
  if (closed.length > 0) {
    out.push('', 'Undone since:', '');
    for (const i of closed) {
      out.push(
        `- ${i.kind} ${code(i.resource.replace(/^[a-z-]+\//, ''))} (${text(`${i.opened.eventName} ${i.opened.time}`)}) undone by ${text(`${i.closed?.eventName} at ${i.closed?.time} by ${i.closed?.actor ?? 'unknown'}`)}`,
      );
    }
  }
  return [...out, ''];
}

/** "How they got in": the attacker's credentials and what minted each; then the pivot, round by round. */
export function renderStory(story: StoryFiles): string[] {
  const { lineage, pivots } = story;
  const nodes = new Map(lineage.nodes.map((n) => [n.id, n]));
  const attacker = new Set([
    ...pivots.attacker.keys,
    ...pivots.indicators.filter((i) => i.kind === 'accessKey').map((i) => i.value),
  ]);
  const sessions = lineage.sessions.filter((s) => s.chain.some((c) => attacker.has(c)));
  const out = ['## How they got in: credentials and sessions', ''];
  const traced = lineage.nodes.filter((n) => n.kind === 'role session' && n.use);
  out.push(
    `${lineage.sessions.length} credential(s) and session(s) were used in the window; ${traced.filter((n) => n.mintedBy).length} of ${traced.length} role session(s) are traced to the call that created them (\`lineage.json\`).`,
    '',
  );
  if (lineage.truncated.length > 0)
    out.push(`> Lineage is partial: ${text(lineage.truncated.join('; '))}.`, '');
  if (lineage.quarantined.length > 0)
    out.push(
      `> ${lineage.quarantined.length} event(s) could not be read and are listed in \`lineage.json\`.`,
      '',
    );
  if (sessions.length === 0) out.push('No credential of the pivot is in the lineage.', '');
  else {
    out.push(
      '| credential | kind | principal | obtained through | minted by | used |',
      '|---|---|---|---|---|---|',
    );
    for (const s of sessions.slice(0, MAX_LINEAGE_ROWS)) {
      const node = nodes.get(s.credential);
      if (node)
        out.push(
          cells([
            node.id,
            node.kind,
            node.principal,
            s.chain.slice(0, -1).join(' → ') || 'origin not in the logs',
            minted(node, nodes),
            used(node),
          ]),
        );
    }
    if (sessions.length > MAX_LINEAGE_ROWS)
      out.push('', `…and ${sessions.length - MAX_LINEAGE_ROWS} more in \`lineage.json\`.`);
    out.push('');
  }

  out.push(...renderAttackSessions(story));
  out.push('## Pivot to closure', '');
  out.push(
    pivots.seeds === 'none'
      ? 'No indicator and no critical or high finding to start from: no pivot was run.'
      : `Started from the case's ${pivots.seeds === 'iocs' ? 'IOCs' : 'most severe findings'}; ${pivots.rounds.length} round(s), ${pivots.stoppedAtLimit ? 'stopped at the round limit with indicators still new' : 'ended when a round found nothing new'} (\`pivots.json\`).`,
    '',
  );
  for (const round of pivots.rounds) {
    out.push(`**Round ${round.round}**: queried ${round.queried.map(code).join(', ')}`, '');
    for (const p of round.phases) {
      out.push(
        `- ${code(p.indicator)}: ${p.attackerEvents} call(s) the attacker's, ${p.legitimateEvents} left to a legitimate workload; ${text(p.decision)}`,
      );
    }
    const found = round.found.filter((f) => f.kind !== 'userAgent');
    const tools = round.found.filter((f) => f.kind === 'userAgent');
    if (found.length > 0)
      out.push(...found.map((f) => `- new ${f.kind} ${code(f.value)}: ${text(f.reason)}`));
    if (tools.length > 0)
      out.push(`- tools seen (recorded, not pivoted on): ${tools.map((t) => code(t.value)).join(', ')}`);
    out.push('');
  }
  if (pivots.notQueried.length > 0)
    out.push(`Not queried (too long to bind as a parameter): ${pivots.notQueried.map(code).join(', ')}`, '');
  return out;
}

/** The attacker's calls as sessions: one row per credential, address and tool, each traced to its first credential. */
function renderAttackSessions(story: StoryFiles): string[] {
  const { sessions } = story.pivots;
  if (sessions.length === 0) return [];
  const roots = new Map(story.lineage.sessions.map((s) => [s.credential, s.root]));
  const out = [
    "### The attacker's sessions",
    '',
    '| first call | last call | calls | credential | first credential | principal | from | tool |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of sessions.slice(0, MAX_LINEAGE_ROWS)) {
    const key = s.accessKeyId;
    out.push(
      cells([
        s.firstSeen,
        s.lastSeen,
        String(s.events),
        key,
        key ? (roots.get(key) ?? key) : null,
        s.actorArn,
        s.sourceIp,
        toolOf(s.userAgent),
      ]),
    );
  }
  if (sessions.length > MAX_LINEAGE_ROWS)
    out.push('', `…and ${sessions.length - MAX_LINEAGE_ROWS} more in \`pivots.json\`.`);
  return [...out, ''];
}

/** "Log gaps": silences, stopped trails, data-event and digest coverage, and the conclusions they limit. */
export function renderLogGaps(story: StoryFiles): string[] {
  const c = story.logGaps;
  const out = ['## Log gaps: what the logs cannot show', ''];
  if (c.limits.length === 0) out.push('No silence, stopped trail or missing data-event coverage was found.');
  for (const limit of c.limits) out.push(`- ${text(limit)}`);
  out.push(
    '',
    `Silences longer than ${c.silenceMinutes} minutes where the usual rate would have left records:`,
    '',
  );
  if (c.silences.length === 0) out.push('None.');
  else {
    out.push(
      '| account | region | from | to | minutes | events expected | stopped by | restarted by |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const s of c.silences) {
      out.push(
        cells([
          s.account,
          s.region === '*' ? 'all' : s.region,
          s.from,
          s.to,
          String(s.minutes),
          String(s.expectedEvents),
          s.stoppedBy ? `${s.stoppedBy.eventName} ${s.stoppedBy.time}` : '',
          s.restartedBy ? `${s.restartedBy.eventName} ${s.restartedBy.time}` : '',
        ]),
      );
    }
  }
  const data = c.dataEvents.map((d) => `${d.resource ?? d.service} (${d.account}, ${d.events})`);
  out.push('', `Data events recorded for: ${data.length > 0 ? data.join(', ') : 'nothing'}.`, '');
  return out;
}

/** The call that minted a credential; a console session shows the sign-in it came from. */
function minted(node: CredentialNode, nodes: Map<string, CredentialNode>): string {
  const m = node.mintedBy ?? (node.parent?.startsWith('console:') ? nodes.get(node.parent)?.mintedBy : null);
  if (!m) return node.parent ? '' : 'not in the logs';
  const identity = m.sourceIdentity ? `, source identity ${m.sourceIdentity}` : '';
  const caller =
    m.eventName === 'ConsoleLogin'
      ? ''
      : ` by ${m.callerArn ?? 'unknown'}${m.callerKey ? ` (${m.callerKey})` : ''}`;
  return `${m.eventName} ${m.time}${caller} from ${m.sourceIp ?? 'unknown'}${identity}`;
}

function used(node: CredentialNode): string {
  return node.use
    ? `${node.use.events} call(s), ${node.use.firstSeen} – ${node.use.lastSeen}`
    : 'not used in the window';
}

/** A table row of values from the logs: escaped, so none of them takes effect as Markdown or HTML. */
function cells(values: (string | null)[]): string {
  return `| ${values.map((v) => (v === null ? '—' : text(v))).join(' | ')} |`;
}
