import type { CaseSummary } from '../../domain/case-files/summary-file.js';
import type { HuntResultRecord } from '../../domain/hunt-result.js';
import { type ScanCost, scanCostLine } from '../../domain/scan-cost.js';
import { huntsNotRunByReason } from '../hunts-not-run.js';
import { scopeFlags, scopeRequestFields, scopeSentence } from '../scope-text.js';
import { esc } from './escape-html.js';

/** What the case could not do, what it cost, and how to run it again. */
export function caseRecordSections(
  summary: CaseSummary,
  results: HuntResultRecord[],
  engineVersion: string | null,
  scanCost: ScanCost,
): string {
  const sections = [
    coverage(summary),
    gaps(summary),
    caseScanCost(scanCost),
    reproduce(summary, results, engineVersion),
  ];
  return [...sections, evidence()].join('\n');
}

function coverage(summary: CaseSummary): string {
  const rows = summary.attackCoverage.map(
    (c) =>
      `<tr><td>${esc(c.tactic)}</td><td>${c.huntsRun}</td><td>${c.huntsWithFindings}</td><td>${esc(c.techniques.join(', '))}</td></tr>`,
  );
  return `<section id="attack"><h2>ATT&amp;CK coverage by tactic (ATT&amp;CK ${esc(summary.attackVersion)})</h2>
<p class="muted">Each technique is listed under the tactics ATT&amp;CK files it under. The techniques hit are in <a href="attack-layer.json">attack-layer.json</a>, a layer for the ATT&amp;CK Navigator; every hit is in <a href="timeline.csv">timeline.csv</a>, ready for Timesketch.</p>
<table><thead><tr><th>tactic</th><th>hunts run</th><th>with findings</th><th>techniques seen</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function gaps(summary: CaseSummary): string {
  const list = (items: string[], none: string) =>
    items.length === 0 ? `<p>${none}</p>` : `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
  const notRun = huntsNotRunByReason(summary.huntsNotRun).map(
    (g) =>
      `${g.huntIds.length} hunt(s): ${esc(g.reason)} <details><summary>which</summary>${esc(g.huntIds.join(', '))}</details>`,
  );
  return `<section id="gaps"><h2>Skipped, failed and not run</h2>
<h3>Inputs skipped or quarantined</h3>
${list(
  summary.skipped.map((k) => `<code>${esc(k.input)}</code> (${esc(k.stage)}): ${esc(k.reason)}`),
  'None: every input found was read.',
)}
${recordsSetAside(summary, list)}
<h3>Failed hunts</h3>
${list(
  summary.failedHunts.map((f) => `<code>${esc(f.huntId)}</code>: ${esc(f.error)}`),
  'None.',
)}
<h3>Hunts not run (${summary.huntsNotRun.length})</h3>
${scopeSentence(summary.scope) ? `<p>${esc(scopeSentence(summary.scope) ?? '')}</p>` : ''}
${list(notRun, 'None.')}
<h3>Coverage gaps</h3>
${list(
  summary.coverageGaps.map((g) => `${esc(g.title)} — ${esc(g.status)}: ${esc(g.consequence ?? g.detail)}`),
  'None: every known source was present.',
)}
${
  summary.suppressedByAllowlist.length > 0
    ? `<h3>Left out by the allowlist</h3>${list(
        summary.suppressedByAllowlist.map((s) => `<code>${esc(s.huntId)}</code>: ${s.count} row(s)`),
        '',
      )}`
    : ''
}
</section>`;
}

/** Records the embedded engine set aside or read with NULLs, counted per file (quarantine). */
function recordsSetAside(summary: CaseSummary, list: (items: string[], none: string) => string): string {
  if (summary.recordsSetAside.length === 0) return '';
  const files = summary.recordsSetAside.map((f) => {
    const nulled = f.nulledValues > 0 ? `, ${f.nulledValues} value(s) read as NULL` : '';
    return `<code>${esc(f.file)}</code>: ${f.quarantined} of ${f.records} record(s) set aside${nulled}`;
  });
  return `<h3>Records set aside</h3>
<p class="muted">Each record is in <code>quarantine/&lt;source&gt;.jsonl</code> with its position and reason.</p>
${list(files, '')}`;
}

/** The case's bill from `scan-cost.json`: estimated, scanned (DDL, copies and hunts), cost. */
function caseScanCost(scanCost: ScanCost): string {
  return `<section id="cost"><h2>Bytes scanned and cost</h2>
<p>${esc(scanCostLine(scanCost))}. Each query is in <code>scan-cost.json</code>.</p></section>`;
}

function reproduce(summary: CaseSummary, results: HuntResultRecord[], engineVersion: string | null): string {
  const engine =
    engineVersion ??
    (summary.engine === 'athena' ? 'Athena, at the engine version set on the workgroup' : summary.engine);
  const hunts = results.map(
    (r) =>
      `<details><summary><code>${esc(r.huntId)}</code> · ${esc(r.status)} · ${esc(r.engine)}${r.queryId ? ` · query id <code>${esc(r.queryId)}</code>` : ''} · ${r.durationMs} ms</summary>
<pre>${esc(r.query)}</pre>${r.parameters.length > 0 ? `<p>Parameters, in order: <code>${esc(JSON.stringify(r.parameters))}</code></p>` : ''}</details>`,
  );
  return `<section id="reproduce"><h2>How to reproduce</h2>
<p>Engine: ${esc(engine)}. Each hunt's exact query, parameters and query id are also in <code>hunts/&lt;huntId&gt;.json</code>; the request, engine and timings in <code>case.json</code>. Run the same hunts again with <code>npx casefile investigate --logs &lt;dir&gt; --hunts &lt;id,id&gt;${esc(scopeFlags(summary.scope))}</code>${
    summary.scope
      ? `, or in AWS with <code>POST /investigations</code> and <code>${esc(JSON.stringify(scopeRequestFields(summary.scope)))}</code> in the body`
      : ''
  }.</p>
${hunts.join('\n')}</section>`;
}

function evidence(): string {
  return '<section id="evidence"><h2>Evidence</h2><p>Every file of this case is listed with its SHA-256 in <code>manifest.json</code>; <code>npx casefile verify &lt;case folder&gt; --manifest-sha256 &lt;hex&gt;</code> checks them, given the hash of the manifest kept elsewhere.</p></section>';
}
