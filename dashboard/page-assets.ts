// The report page's own style and script, kept apart from the renderer that fills it.

export const PAGE_STYLE = `
:root { --bad: #b42318; --ok: #067647; --muted: #555; --line: #d0d5dd; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem; color: #101828; }
h1 { margin: 0.2rem 0; font-size: 1.6rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; }
h3 { margin: 0.5rem 0; font-size: 1.05rem; } .count { color: var(--muted); font-weight: normal; }
.meta, .source, .note { color: var(--muted); font-size: 0.85rem; }
.warning { background: #fef3f2; border-left: 4px solid var(--bad); padding: 0.5rem 0.8rem; }
.ok { background: #ecfdf3; border-left: 4px solid var(--ok); padding: 0.5rem 0.8rem; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.8rem; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 0.8rem; display: flex; flex-direction: column; }
.kpi .value { font-size: 2rem; font-weight: 600; } .kpi .label { color: var(--muted); font-size: 0.9rem; }
.kpi.bad .value { color: var(--bad); }
.kpi.unknown .value { color: var(--muted); font-size: 1.2rem; } .kpi .note { font-size: 0.75rem; }
.visuals { display: grid; grid-template-columns: 1fr; gap: 1.2rem; }
.visuals > * { min-width: 0; } figure { margin: 0; }
.chart .canvas-box { position: relative; height: 340px; width: 100%; }
figcaption { font-weight: 600; margin-bottom: 0.4rem; }
.scroll { max-height: 420px; overflow: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-size: 0.82rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eaecf0; white-space: nowrap; }
th { position: sticky; top: 0; background: #f9fafb; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
.filter { margin: 0.3rem 0; padding: 0.3rem; width: 260px; }
@media print {
  .filter { display: none; } .scroll { max-height: none; overflow: visible; border: 0; }
  section { break-inside: avoid-page; } th { position: static; }
}`;

export const PAGE_SCRIPT = `
for (const c of CHARTS) {
  const canvas = document.querySelector('#' + c.id + ' canvas');
  new Chart(canvas, {
    type: c.type,
    data: { labels: c.labels, datasets: c.series.map((s) => ({ label: s.label, data: s.data })) },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: c.type === 'bar' ? { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } : { y: { beginAtZero: true } },
    },
  });
}
for (const visual of document.querySelectorAll('.table-visual')) {
  const tbody = visual.querySelector('tbody');
  const filter = visual.querySelector('.filter');
  const count = visual.querySelector('.count');
  const total = count.textContent;
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const row of tbody.rows) {
      const hit = !needle || row.textContent.toLowerCase().includes(needle);
      row.hidden = !hit;
      if (hit) shown++;
    }
    count.textContent = needle ? shown + ' of ' + total : total;
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
    });
  });
}`;
