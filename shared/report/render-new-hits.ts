import type { NewHit, NewHits } from '../domain/case-files/new-hits-file.js';
import { severities } from '../domain/hunt-definition.js';
import { UNBOUNDED_TO } from '../domain/time-window.js';
import { esc } from './html/escape-html.js';
import { text } from './markdown.js';
import { row } from './render-report.js';

/** Rows listed per hunt; the rest are in `new-hits.json`. */
const ROWS_PER_HUNT = 10;
const WHEN_COLUMNS = ['event_time', 'first_seen'];
const WHO_COLUMNS = ['actor', 'source_ip', 'event_name'];

interface HuntNewHits {
  huntId: string;
  title: string;
  severity: NewHit['severity'];
  hits: NewHit[];
}

/** New hits per hunt, the most severe hunt first. */
function byHunt(newHits: NewHits): HuntNewHits[] {
  const hunts = new Map<string, HuntNewHits>();
  for (const hit of newHits.newHits) {
    const entry = hunts.get(hit.huntId) ?? {
      huntId: hit.huntId,
      title: hit.title,
      severity: hit.severity,
      hits: [],
    };
    entry.hits.push(hit);
    hunts.set(hit.huntId, entry);
  }
  return [...hunts.values()].sort(
    (a, b) =>
      severities.indexOf(b.severity) - severities.indexOf(a.severity) || a.huntId.localeCompare(b.huntId),
  );
}

function headline(newHits: NewHits): string {
  const earlier = newHits.comparedWith.join(', ');
  return newHits.newHits.length === 0
    ? `Nothing new: every hit of run ${newHits.run} (${newHits.seenBefore}) was already found by run(s) ${earlier}.`
    : `${newHits.newHits.length} new hit(s) since run(s) ${earlier}; ${newHits.seenBefore} hit(s) found again are not repeated.`;
}

/** A local run without an end searches to the end of the logs: said so, not as the year 9999. */
function windowText(newHits: NewHits): string {
  const to = newHits.window.to === UNBOUNDED_TO ? 'the end of the logs' : newHits.window.to;
  return `${newHits.window.from} to ${to}`;
}

function pick(hit: NewHit, columns: string[]): string | null {
  for (const column of columns) if (hit.row[column]) return hit.row[column] ?? null;
  return null;
}

/** report.md's first section in a re-run: what this run found that no earlier run had. */
export function newHitsMarkdown(newHits: NewHits): string[] {
  const out = [`## New in run ${newHits.run}`, '', `Window ${windowText(newHits)}. ${headline(newHits)}`, ''];
  for (const hunt of byHunt(newHits)) {
    out.push(
      `### ${text(hunt.title)} (${hunt.severity}, ${hunt.hits.length} new)`,
      '',
      '| when | who / what | record |',
      '|---|---|---|',
    );
    for (const hit of hunt.hits.slice(0, ROWS_PER_HUNT)) {
      // Cells hold log text: escaped as every table of report.md is (no Markdown, no line or cell break).
      const who = WHO_COLUMNS.map((c) => hit.row[c]).filter((v): v is string => !!v);
      out.push(row([pick(hit, WHEN_COLUMNS), who.join(' · '), hit.recordId]));
    }
    if (hunt.hits.length > ROWS_PER_HUNT) {
      out.push('', `${hunt.hits.length - ROWS_PER_HUNT} more in \`new-hits.json\`.`);
    }
    out.push('');
  }
  return out;
}

/** The same section for report.html, placed before the first screen. */
export function newHitsHtml(newHits: NewHits): string {
  const hunts = byHunt(newHits).map((hunt) => {
    const rows = hunt.hits.slice(0, ROWS_PER_HUNT).map((hit) => {
      const who = WHO_COLUMNS.map((c) => hit.row[c]).filter((v): v is string => !!v);
      return `<tr><td>${esc(pick(hit, WHEN_COLUMNS) ?? '—')}</td><td>${who.map(esc).join(' · ')}</td><td><code>${esc(hit.recordId ?? '—')}</code></td></tr>`;
    });
    const more =
      hunt.hits.length > ROWS_PER_HUNT
        ? `<p class="muted">${hunt.hits.length - ROWS_PER_HUNT} more in new-hits.json.</p>`
        : '';
    return `<h3>${esc(hunt.title)} <span class="muted">(${esc(hunt.severity)}, ${hunt.hits.length} new)</span></h3>
<table><thead><tr><th>when</th><th>who / what</th><th>record</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
  });
  return `<section id="new-in-run"><h2>New in run ${newHits.run}</h2>
<p>Window ${esc(windowText(newHits))}. ${esc(headline(newHits))}</p>
${hunts.join('\n')}</section>`;
}
