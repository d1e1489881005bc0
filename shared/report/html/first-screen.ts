import type { CaseSummary } from '../../domain/case-files/summary-file.js';
import type { StoryFiles } from '../../story/story-files.js';
import type { ReportFacts } from '../report-facts.js';
import { esc } from './escape-html.js';

/** The first screen, shaped like an incident report: what happened, since when, is it still going on. */
export function firstScreen(summary: CaseSummary, facts: ReportFacts, story?: StoryFiles): string {
  return [executiveSummary(summary, facts, story), stories(facts), indicators(facts)].join('\n');
}

/**
 * What the attacker created or opened that no later event undid (TraceStory's open items): a case
 * whose last hunt hit is hours before the end of the logs can still be open, a stolen key still usable.
 */
function stillOpen(story: StoryFiles | undefined): string {
  const items = story?.openItems.items ?? [];
  const open = items.filter((i) => i.closed === null);
  if (open.length === 0) return '';
  const shown = open
    .slice(0, 8)
    .map(
      (i) =>
        `<li>${esc(i.kind)} <code>${esc(i.resource)}</code> (${esc(i.opened.eventName)} at <time>${esc(i.opened.time)}</time>${i.opened.actor ? ` by <code>${esc(i.opened.actor)}</code>` : ''})${i.note ? `: ${esc(i.note)}` : ''}</li>`,
    );
  const more =
    open.length > shown.length
      ? `<li>and ${open.length - shown.length} more in <code>open-items.json</code></li>`
      : '';
  return `<div class="banner"><p><strong>Still open at the end of the logs.</strong> ${open.length} of ${items.length} thing(s) the attacker created or opened were not undone:</p><ul>${shown.join('')}${more}</ul></div>`;
}

function executiveSummary(summary: CaseSummary, facts: ReportFacts, story?: StoryFiles): string {
  const s = summary.findingsBySeverity;
  const first = facts.firstSuspicious;
  const last = facts.lastSuspicious;
  const lines: string[] = [];
  if (summary.findings.length === 0)
    lines.push('<p class="lede">No hunt found activity in the logs read.</p>');
  else {
    const top = summary.findings.slice(0, 3).map((f) => esc(f.title));
    lines.push(
      `<p class="lede"><strong>What happened.</strong> ${summary.findings.length} hunt(s) found activity (${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low, ${s.info} info); the most severe: ${top.join('; ')}.</p>`,
    );
  }
  if (first && last) {
    lines.push(
      `<p><strong>Since when.</strong> The first suspicious event is at <time>${esc(first.time)}</time>: ${esc(first.title)}${first.actor ? ` by <code>${esc(first.actor)}</code>` : ''}${first.sourceIp ? ` from <code>${esc(first.sourceIp)}</code>` : ''}.</p>`,
      facts.stillActive
        ? `<p class="banner"><strong>Possibly still going on.</strong> Suspicious activity continues until <time>${esc(last.lastTime)}</time>, within an hour of the end of the logs (${esc(summary.observed.lastEventTime)}): the logs stop before the activity does.</p>`
        : `<p><strong>Still going on?</strong> The last suspicious event is at <time>${esc(last.lastTime)}</time> (${esc(last.title)}); the logs read run until ${esc(summary.observed.lastEventTime ?? 'an unknown time')} with no hunt firing after it. Logs delivered since then are not in this case.</p>`,
    );
  }
  const open = stillOpen(story);
  if (open) lines.push(open);
  if (summary.failedHunts.length + summary.skipped.length > 0)
    lines.push(
      `<p class="banner">This case is incomplete: ${summary.failedHunts.length} hunt(s) failed and ${summary.skipped.length} input(s) were skipped (see "Skipped, failed and not run") before drawing conclusions.</p>`,
    );
  if (summary.sources.length === 0)
    lines.push('<p class="banner">No log records were read: nothing in this case was investigated.</p>');
  return `<section id="summary"><h2>Executive summary</h2>${lines.join('\n')}</section>`;
}

function stories(facts: ReportFacts): string {
  if (facts.stories.length === 0) return '';
  const items = facts.stories.map(
    (f) =>
      `<li><span class="sev sev-${esc(f.severity)}">${esc(f.severity)}</span> ` +
      `${f.actors.length > 0 ? `<code>${esc(f.actors.slice(0, 2).join(', '))}</code>${f.actors.length > 2 ? ` and ${f.actors.length - 2} more` : ''}: ` : ''}` +
      `${esc(f.what)}. <em>${esc(f.outcome)}</em>. First seen ${esc(f.firstSeen)}, last seen ${esc(f.lastSeen)}` +
      `${f.from.length > 0 ? `, from ${esc(f.from.slice(0, 3).join(', '))}${f.from.length > 3 ? ` and ${f.from.length - 3} more` : ''}` : ''}. ` +
      `ATT&amp;CK ${esc(f.attack.join('; '))}. <a href="#finding-${esc(f.huntId)}">Details</a></li>`,
  );
  return `<section id="story"><h2>The most severe findings</h2><ol class="story">${items.join('\n')}</ol></section>`;
}

function indicators(facts: ReportFacts): string {
  const i = facts.indicators;
  const a = facts.assets;
  const card = (title: string, values: string[]) =>
    `<div class="card"><h3>${esc(title)}</h3>${
      values.length === 0
        ? '<p class="muted">none seen</p>'
        : `<ul>${values
            .slice(0, 10)
            .map((v) => `<li><code>${esc(v)}</code></li>`)
            .join(
              '',
            )}${values.length > 10 ? `<li class="muted">and ${values.length - 10} more</li>` : ''}</ul>`
    }</div>`;
  return `<section id="indicators"><h2>Indicators and affected assets</h2>
<p class="muted">From the medium-and-above findings and the case's own indicators, most frequent first.</p>
<div class="grid">${[
    card('Access keys', i.accessKeys),
    card('Principals', i.principals),
    card('Source addresses', i.addresses),
    card('Outside accounts', i.outsideAccounts),
    card('User agents', i.userAgents),
    card('Accounts', a.accounts),
    card('Regions', a.regions),
    card('Resources acted on', a.targets),
  ].join('')}</div></section>`;
}
