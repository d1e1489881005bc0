/** Inlined into the page: a report opened from disk or from an S3 download loads nothing else. */
export const reportStyle = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2329; }
body { margin: 0 auto; max-width: 1500px; padding: 16px 24px 64px; line-height: 1.45; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 2px solid #e3e7eb; padding-bottom: 4px; margin-top: 36px; }
.lede { font-size: 1.1em; } .muted { color: #5b6770; }
.banner { border-left: 4px solid #b3261e; background: #fbeceb; padding: 8px 12px; margin: 12px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.card { border: 1px solid #dfe3e7; border-radius: 6px; padding: 8px 12px; background: #fafbfc; }
.card h3 { margin: 0 0 6px; font-size: 0.95em; text-transform: uppercase; letter-spacing: 0.03em; color: #5b6770; }
.card ul { margin: 0; padding-left: 18px; } .card li { word-break: break-all; }
ol.story li { margin-bottom: 8px; }
.sev { display: inline-block; min-width: 64px; text-align: center; border-radius: 3px; color: #fff; font-size: 0.8em; font-weight: 600; padding: 1px 6px; text-transform: uppercase; }
.sev-critical { background: #b3261e; } .sev-high { background: #e0653a; } .sev-medium { background: #e8a33d; }
.sev-low { background: #7a9cc6; } .sev-info { background: #9aa5b1; } .sev-ioc { background: #7b4bb7; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 8px 0; }
th, td { border: 1px solid #e3e7eb; padding: 3px 6px; text-align: left; vertical-align: top; }
td { word-break: break-word; max-width: 420px; } td.long { font-size: 0.9em; max-width: 260px; }
#timeline { font-size: 0.8em; } #timeline td:first-child, #timeline td:nth-child(7) { white-space: nowrap; }
#timeline td:nth-child(3) { min-width: 220px; } #timeline td:nth-child(4) { min-width: 120px; }
#timeline td:nth-child(6) { min-width: 160px; } #timeline td.long { min-width: 150px; }
.scroll { overflow-x: auto; } th { background: #f1f4f6; position: sticky; top: 0; }
tr.ioc td:first-child { box-shadow: inset 4px 0 #7b4bb7; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
figure.chart { margin: 12px 0; overflow-x: auto; } figure.chart svg { font-size: 12px; max-width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: 4px; }
details { margin: 6px 0; } pre { white-space: pre-wrap; background: #f6f8fa; padding: 8px; font-size: 0.85em; }
code { background: #f1f4f6; padding: 0 3px; border-radius: 3px; }
@media print { .filters { display: none; } th { position: static; } }
`;

/**
 * Filters the timeline by severity, actor and source. It reads only the rows' data attributes
 * (escaped at build time) and writes only `hidden`, so no logged value ever becomes markup.
 */
export const timelineFilterScript = `
(function () {
  var rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4, ioc: 3 };
  var form = document.getElementById('timeline-filters');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#timeline tbody tr'));
  var count = document.getElementById('timeline-count');
  function apply() {
    var min = rank[form.severity.value] || 0;
    var actor = form.actor.value, source = form.source.value, iocOnly = form.ioc.checked;
    var shown = 0;
    rows.forEach(function (row) {
      var ok = rank[row.dataset.severity] >= min &&
        (!actor || row.dataset.actor === actor) &&
        (!source || row.dataset.sources.split(' ').indexOf(source) >= 0) &&
        (!iocOnly || row.dataset.ioc === 'true');
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' entries shown';
  }
  form.addEventListener('change', apply);
  apply();
})();
`;
