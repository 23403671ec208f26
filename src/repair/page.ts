/** The dry run's details page: what a repair pull request would change, row by row. */
import { html } from 'hono/html';
import { renderPageShell } from '../http/page-shell.js';
import { describeSeverity, findRow } from './retirements.js';
import type { RepairReport } from './store.js';

const STYLE = `
  table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
  th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid #8884; overflow-wrap: anywhere; }
`;

export function renderRepairPage(report: RepairReport): ReturnType<typeof html> {
  const rows = report.findings.map((finding) => {
    const row = findRow(finding.rowId);
    return html`<tr>
      <td><code>${finding.path}:${finding.line}</code></td>
      <td><code>${finding.before}</code></td>
      <td>${finding.after === null ? html`by hand: ${finding.note ?? ''}` : html`<code>${finding.after}</code>`}</td>
      <td>${row.title}</td>
      <td><strong>${describeSeverity(row.severity)}</strong></td>
      <td><a href="${row.notice}">notice</a></td>
    </tr>`;
  });
  const body = html`<main>
    <p class="meta">Workflow repair</p>
    <h1>Workflow repair (dry run): ${report.repository}</h1>
    <p>
      ${
        report.findings.length === 0
          ? 'Nothing GitHub retired was found in this repository’s workflows.'
          : `A repair pull request would make these ${report.findings.length} change(s). Nothing was opened: .github/keel.yml sets repair to dry-run.`
      }
    </p>
    ${
      report.findings.length === 0
        ? ''
        : html`<table>
            <thead>
              <tr>
                <th>Where</th>
                <th>Before</th>
                <th>After</th>
                <th>Why</th>
                <th>Severity</th>
                <th>GitHub’s notice</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
    }
  </main>`;
  return renderPageShell({ title: `Workflow repair · ${report.repository}`, style: STYLE, body });
}
