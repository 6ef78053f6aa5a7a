// The report page's own style and script, kept apart from the renderer that fills it.
import { SEVERITIES } from '../queries/catalog.ts';
import { SEVERITY_COLOURS } from './spec.ts';

/** The page's style, with each severity's colour from the dashboard spec. */
export function pageStyle(): string {
  const severities = SEVERITIES.map(
    (s) =>
      `.sev-${s} { background: ${SEVERITY_COLOURS[s]}; } .kpi.bad.sev-text-${s} .value { color: ${SEVERITY_COLOURS[s]}; }`,
  ).join('\n');
  return `${PAGE_STYLE}\n${severities}`;
}

const PAGE_STYLE = `
:root { --bad: #b42318; --ok: #067647; --muted: #555; --line: #d0d5dd; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem; color: #101828; }
h1 { margin: 0.2rem 0; font-size: 1.6rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; }
h3 { margin: 0.5rem 0; font-size: 1.05rem; } .count { color: var(--muted); font-weight: normal; }
.meta, .source, .note { color: var(--muted); font-size: 0.85rem; }
.warning { background: #fef3f2; border-left: 4px solid var(--bad); padding: 0.5rem 0.8rem; }
.ok { background: #ecfdf3; border-left: 4px solid var(--ok); padding: 0.5rem 0.8rem; }
.neutral { background: #f2f4f7; border-left: 4px solid var(--muted); padding: 0.5rem 0.8rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.8rem; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem; display: flex; flex-direction: column; }
.kpi .value { font-size: 2rem; font-weight: 600; } .kpi .label { color: var(--muted); font-size: 0.9rem; }
.kpi.unknown .value { color: var(--muted); font-size: 1.2rem; } .kpi .note { font-size: 0.75rem; }
.visuals { display: grid; grid-template-columns: 1fr; gap: 1.2rem; }
.visuals > * { min-width: 0; } figure { margin: 0; }
.chart .canvas-box { position: relative; height: 340px; width: 100%; }
figcaption { font-weight: 600; margin-bottom: 0.4rem; }
.scroll { overflow-x: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eaecf0; vertical-align: top; }
/* Identifiers, flags, numbers and timestamps are never broken inside; free text wraps at spaces. */
td { white-space: nowrap; } td.text { white-space: normal; overflow-wrap: anywhere; min-width: 16rem; } th { overflow-wrap: normal; }
th { background: #f9fafb; cursor: pointer; user-select: none; }
tr.paged-out { display: none; }
.pager { margin: 0.3rem 0; font-size: 0.85rem; } .pager button { padding: 0.1rem 0.6rem; }
.headline { font-size: 1.15rem; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 1.2rem; }
h4 { margin: 0.8rem 0 0.3rem; font-size: 0.95rem; }
table.summary th { cursor: default; }
.sev { border-radius: 4px; padding: 0 0.35rem; font-size: 0.75rem; font-weight: 600; color: #fff; }
.print-option { font-size: 0.85rem; color: var(--muted); }
.controls { color: var(--muted); font-size: 0.78rem; font-weight: normal; margin-left: 0.5rem; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
.filter { margin: 0.3rem 0; padding: 0.3rem; width: 260px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { max-width: none; padding: 0; }
  .filter, .pager, .print-option { display: none; } .scroll { overflow: visible; border: 0; }
  tr.paged-out { display: table-row; }
  body:not(.print-all) section.details, body:not(.print-all) .table-visual { display: none; }
  table { font-size: 0.55rem; } th, td { padding: 0.1rem 0.25rem; } thead { display: table-header-group; }
  td.text { min-width: 4rem; } td.path { white-space: normal; } td.path span { white-space: nowrap; }
  tr { break-inside: avoid; } h2, h3, h4, figcaption { break-after: avoid; }
  /* A chart prints whole on one page, drawn for the page's width (the script redraws it). */
  figure.chart { break-inside: avoid; } .chart .canvas-box { height: 300px; }
  .chart canvas { max-width: 100%; }
}`;

export const PAGE_SCRIPT = `
for (const c of CHARTS) {
  const canvas = document.querySelector('#' + c.id + ' canvas');
  new Chart(canvas, {
    type: c.type,
    data: {
      labels: c.labels,
      // Each check keeps its own colour in every chart.
      datasets: c.series.map((s) => ({
        label: s.label, data: s.data, borderColor: s.colour, backgroundColor: s.colour,
        spanGaps: false, pointRadius: 2,
      })),
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: c.type === 'bar' ? { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } : { y: { beginAtZero: true } },
    },
  });
}
document.getElementById('print-all').addEventListener('change', (e) => {
  document.body.classList.toggle('print-all', e.target.checked);
});
// Printing lays the page out narrower than the screen: redraw every chart for the paper's width
// before it prints, and again after, so no canvas keeps its screen size and overlaps its title.
const charts = Object.values(Chart.instances);
const redraw = () => { for (const chart of charts) chart.resize(); };
window.addEventListener('beforeprint', redraw);
window.addEventListener('afterprint', redraw);
window.matchMedia('print').addEventListener('change', redraw);
const PAGE_SIZE = 25;
for (const visual of document.querySelectorAll('.table-visual')) {
  const tbody = visual.querySelector('tbody');
  const filter = visual.querySelector('.filter');
  const count = visual.querySelector('.count');
  const pager = visual.querySelector('.pager');
  const total = count.textContent;
  let page = 0;
  // Rows that match the filter are shown a page at a time; the others are hidden.
  const paginate = () => {
    const matching = [...tbody.rows].filter((r) => !r.hidden);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    matching.forEach((r, i) => r.classList.toggle('paged-out', Math.floor(i / PAGE_SIZE) !== page));
    pager.hidden = pages === 1;
    pager.querySelector('.page').textContent = 'page ' + (page + 1) + ' of ' + pages;
    pager.querySelector('.prev').disabled = page === 0;
    pager.querySelector('.next').disabled = page === pages - 1;
  };
  pager.querySelector('.prev').addEventListener('click', () => { page--; paginate(); });
  pager.querySelector('.next').addEventListener('click', () => { page++; paginate(); });
  paginate();
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const row of tbody.rows) {
      const hit = !needle || row.textContent.toLowerCase().includes(needle);
      row.hidden = !hit;
      if (hit) shown++;
    }
    count.textContent = needle ? shown + ' of ' + total : total;
    page = 0;
    paginate();
  });
  visual.querySelectorAll('th').forEach((th, index) => {
    th.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      visual.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const rows = [...tbody.rows];
      const value = (r) => r.cells[index].textContent;
      const numeric = rows.every((r) => value(r) === '' || !Number.isNaN(Number(value(r))));
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const d = numeric ? Number(x || -Infinity) - Number(y || -Infinity) : x.localeCompare(y);
        return ascending ? d : -d;
      });
      tbody.append(...rows);
      paginate();
    });
  });
}`;
