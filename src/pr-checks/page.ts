/**
 * The details page behind a `keel/pr-checks` status: everything the 140-character description
 * cannot say. Server-rendered with hono/html, which escapes every interpolated value; no external
 * assets, readable on a phone. Evidence is shown as stored: secrets were masked before storing.
 */
import { html } from 'hono/html';
import { encodePath, isWebLink } from '../http/page-links.js';
import { renderPageShell } from '../http/page-shell.js';
import type { PrCheckReport } from './report.js';
import type { AcceptedFinding } from './accepted-findings.js';
import type { Finding } from './types.js';
import type { StoredReport } from './store.js';

type Html = ReturnType<typeof html>;

export interface RenderReportPageOptions {
  report: StoredReport;
  /** https://github.com or the GHES web URL. */
  githubWebUrl: string;
}

const STYLE = `
  :root { --pass: #1a7f37; }
  h3 { font-size: 1rem; margin: 0 0 0.25rem; }
  article { border: 1px solid #8884; border-left-width: 4px; border-radius: 6px; padding: 0.75rem; margin: 0.75rem 0; }
  article.failure { border-left-color: var(--fail); } article.warning { border-left-color: var(--warn); }
  .state { font-weight: 600; } .state.failure { color: var(--fail); } .state.success { color: var(--pass); }
`;

function renderFinding(finding: Finding, blobUrl: string): Html {
  const place =
    finding.file === null
      ? html`pull request`
      : html`<a href="${blobUrl}/${encodePath(finding.file)}${finding.line === null ? '' : `#L${finding.line}`}"
          ><code>${finding.file}${finding.line === null ? '' : `:${finding.line}`}</code></a
        >`;
  const auditNote = finding.audit ? html` · audit <code>${finding.audit}</code>` : '';
  return html`<article class="${finding.severity}">
    <h3>${finding.title}</h3>
    <p class="meta">${place} · rule <code>${finding.rule}</code>${auditNote} · ${finding.severity}</p>
    <p>${finding.explanation}</p>
    <p><strong>Fix:</strong> ${finding.fix}</p>
    ${finding.evidence === undefined ? '' : html`<pre><code>${finding.evidence}</code></pre>`}
    ${isWebLink(finding.link) ? html`<p><a href="${finding.link}" rel="noreferrer noopener">Guidance</a></p>` : ''}
  </article>`;
}

function renderFindings(heading: string, findings: readonly Finding[], blobUrl: string, empty: string): Html {
  return html`<section>
    <h2>${heading} (${findings.length})</h2>
    ${findings.length === 0 ? html`<p>${empty}</p>` : findings.map((finding) => renderFinding(finding, blobUrl))}
  </section>`;
}

function renderAccepted(accepted: readonly AcceptedFinding[], blobUrl: string): Html {
  if (accepted.length === 0) return html``;
  return html`<section>
    <h2>Accepted (${accepted.length})</h2>
    ${accepted.map(
      (finding) =>
        html`${renderFinding(finding, blobUrl)}
          <p class="meta">
            Accepted by @${finding.acceptedBy} on
            ${new Date(finding.acceptedAt).toISOString()}${finding.reason === null ? '' : html`: ${finding.reason}`}
          </p>`,
    )}
  </section>`;
}

function renderConfigError(audit: PrCheckReport): Html {
  const error = audit.configError;
  if (!error) return html``;
  return html`<section>
    <h2>Configuration error</h2>
    <p>${error.message}</p>
    ${
      error.problems.length === 0
        ? ''
        : html`<ul>
            ${error.problems.map(
              (problem) =>
                html`<li>
                  <code>${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}</code>:
                  ${problem.message}
                </li>`,
            )}
          </ul>`
    }
    <p><strong>Fix:</strong> ${error.remedy}</p>
  </section>`;
}

function renderNotAudited({ notAudited, filesNotListed }: PrCheckReport): Html {
  if (notAudited.length === 0 && filesNotListed === 0) return html``;
  return html`<section>
    <h2>Not audited (${notAudited.length + filesNotListed})</h2>
    <ul>
      ${notAudited.map((entry) => html`<li><code>${entry.file}</code>: ${entry.reason}</li>`)}
      ${
        filesNotListed === 0
          ? ''
          : html`<li>
              ${filesNotListed.toLocaleString('en-US')} more changed ${filesNotListed === 1 ? 'file was' : 'files were'}
              not audited: GitHub lists at most 3,000 files of a pull request, so Keel cannot read the rest. Split the
              pull request to have every file audited.
            </li>`
      }
    </ul>
  </section>`;
}

function renderSkippedAudits({ skippedAudits = [] }: PrCheckReport): Html {
  if (skippedAudits.length === 0) return html``;
  return html`<section>
    <h2>Audits skipped (${skippedAudits.length})</h2>
    <p>
      Keel could not read what these audits need about these actions; the rest of the audit ran, and the check does not
      fail for it.
    </p>
    <ul>
      ${skippedAudits.map(
        (entry) => html`<li><code>${entry.audit}</code> for <code>${entry.action}</code>: ${entry.reason}</li>`,
      )}
    </ul>
  </section>`;
}

export function renderReportPage({ report, githubWebUrl }: RenderReportPageOptions): Html {
  const { report: audit } = report;
  const repoUrl = `${githubWebUrl}/${encodePath(report.repository)}`;
  const blobUrl = `${repoUrl}/blob/${encodeURIComponent(report.headSha)}`;
  const failures = audit.findings.filter((finding) => finding.severity === 'failure');
  const warnings = audit.findings.filter((finding) => finding.severity === 'warning');
  return renderPageShell({
    title: `keel/pr-checks · ${report.repository}#${report.pullNumber}`,
    style: STYLE,
    body: html` <main>
      <p class="meta">keel/pr-checks</p>
      <h1>${report.title}</h1>
      <dl>
        <dt>Repository</dt>
        <dd><a href="${repoUrl}">${report.repository}</a></dd>
        <dt>Pull request</dt>
        <dd><a href="${repoUrl}/pull/${report.pullNumber}">#${report.pullNumber}</a></dd>
        <dt>Commit</dt>
        <dd>
          <a href="${repoUrl}/commit/${encodeURIComponent(report.headSha)}"><code>${report.headSha}</code></a>
        </dd>
        <dt>State</dt>
        <dd class="state ${audit.state}">${audit.state}</dd>
        <dt>Checked</dt>
        <dd>${new Date(report.updatedAt).toISOString()}</dd>
      </dl>
      <p class="summary">${audit.description}</p>
      ${renderConfigError(audit)}
      ${
        audit.configError
          ? ''
          : html`${renderFindings('Findings', failures, blobUrl, 'Nothing that fails the check.')}
            ${renderFindings('Warnings', warnings, blobUrl, 'No warnings.')}
            ${renderAccepted(audit.accepted ?? [], blobUrl)}`
      }
      ${renderNotAudited(audit)} ${renderSkippedAudits(audit)}
      ${
        audit.configError
          ? ''
          : html`<p class="meta">
              ${audit.filesAudited.toLocaleString('en-US')} files audited, ${audit.addedLines.toLocaleString('en-US')}
              added lines read.
            </p>`
      }
    </main>`,
  });
}
