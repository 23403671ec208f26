/**
 * The diagnosis page behind a `keel/ci` status and the links in Keel's comments: one failed run
 * attempt, each failed job with its kind, failed step, failures (linked to the file at the commit),
 * flaky marks, the log excerpt and the log link. Server-rendered with hono/html, which escapes
 * every interpolated value; no external assets, readable on a phone.
 */
import { html } from 'hono/html';
import { encodePath, isWebLink } from '../http/page-links.js';
import { renderPageShell } from '../http/page-shell.js';
import type { Diagnosis, Failure } from './diagnose.js';
import { describeCommitFailures } from './report.js';
import { describeSeverity } from '../repair/retirements.js';
import { describeMaskedSecrets, describeRepairPending, KIND_LABELS, REPAIR_DRY_RUN_TEXT } from './render.js';
import type { StoredRun } from './store.js';

type Html = ReturnType<typeof html>;

export interface RenderDiagnosisPageOptions {
  run: StoredRun;
  /** https://github.com or the GHES web URL. */
  githubWebUrl: string;
}

const SHOWN_FAILURES = 50;

const STYLE = `
  h3 { font-size: 1rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
  article { border: 1px solid #8884; border-left: 4px solid var(--fail); border-radius: 6px; padding: 0.75rem; margin: 0.75rem 0; }
  .note { border-left: 3px solid var(--warn); padding-left: 0.5rem; }
  .flaky { color: var(--warn); font-weight: 600; }
`;

/** A repository-relative path can be linked at the commit; absolute or escaping ones cannot. */
function isRepositoryPath(file: string): boolean {
  return !file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(file) && !file.split('/').includes('..');
}

function renderPlace(failure: Failure, blobUrl: string): Html | string {
  if (!failure.file) return '';
  const label = failure.line ? `${failure.file}:${failure.line}` : failure.file;
  if (!isRepositoryPath(failure.file)) return html`<code>${label}</code>`;
  const href = `${blobUrl}/${encodePath(failure.file.replace(/^\.\//, ''))}${failure.line ? `#L${failure.line}` : ''}`;
  return html`<a href="${href}"><code>${label}</code></a>`;
}

function renderFailure(failure: Failure, blobUrl: string): Html {
  return html`<li>
    ${failure.test === undefined ? '' : html`<strong>${failure.test}</strong>`} ${renderPlace(failure, blobUrl)}
    ${failure.knownFlaky ? html`<span class="flaky">known flaky</span>` : ''}
    <br />${failure.message}
  </li>`;
}

function renderJob(diagnosis: Diagnosis, blobUrl: string): Html {
  const shown = diagnosis.failures.slice(0, SHOWN_FAILURES);
  const more = diagnosis.failureCount - shown.length;
  return html`<article>
    <h3>${diagnosis.job.name}</h3>
    <p class="meta">
      ${KIND_LABELS[diagnosis.kind]}${diagnosis.tool ? html` · ${diagnosis.tool}` : ''}
      ${diagnosis.failedStep ? html` · failed step <strong>${diagnosis.failedStep.name}</strong>` : ''}
      ${diagnosis.exitCode === undefined ? '' : html` · exit code ${diagnosis.exitCode}`}
    </p>
    ${diagnosis.note ? html`<p class="note">${diagnosis.note}</p>` : ''}
    ${diagnosis.secretsMasked ? html`<p class="note">${describeMaskedSecrets(diagnosis.secretsMasked)}</p>` : ''}
    ${renderRetirements(diagnosis)}
    ${
      shown.length === 0
        ? ''
        : html`<ul>
            ${shown.map((failure) => renderFailure(failure, blobUrl))}
            ${more > 0 ? html`<li>…and ${more} more</li>` : ''}
          </ul>`
    }
    ${diagnosis.excerpt.length === 0 ? '' : html`<pre><code>${diagnosis.excerpt.join('\n')}</code></pre>`}
    ${isWebLink(diagnosis.logUrl) ? html`<p><a href="${diagnosis.logUrl}" rel="noreferrer noopener">Full log</a></p>` : ''}
  </article>`;
}

/** The retirements the job's log shows, then the repair pull request that fixes them or how to get one. */
function renderRetirements({ retirements = [], repairPull, repairPending }: Diagnosis): Html | string {
  if (retirements.length === 0) return '';
  const pull = repairPull && isWebLink(repairPull.url) ? repairPull : null;
  const dryRun = repairPending?.kind === 'dry-run' && isWebLink(repairPending.detailsUrl) ? repairPending : null;
  return html`<div class="note">
    ${retirements.map(
      (row) =>
        html`<p>
          GitHub retirement: <strong>${row.title}</strong>, ${describeSeverity(row.severity)} ·
          <a href="${row.notice}" rel="noreferrer noopener">GitHub's notice</a>
        </p>`,
    )}
    <p>
      ${
        pull
          ? html`Keel's repair pull request <a href="${pull.url}">#${pull.number}</a> fixes this.`
          : dryRun
            ? html`${REPAIR_DRY_RUN_TEXT} <a href="${dryRun.detailsUrl}">the dry run</a> lists the changes it would
                make.`
            : html`${describeRepairPending(repairPending)} comment <code>/keel repair</code> to ask for it now.`
      }
    </p>
  </div>`;
}

function renderConfigError(run: StoredRun): Html | string {
  const error = run.configError;
  if (!error) return '';
  return html`<section>
    <h2>Configuration error</h2>
    <p>${error.message} Keel used the default <code>ci</code> settings for this run.</p>
    <p><strong>Fix:</strong> ${error.remedy}</p>
  </section>`;
}

export function renderDiagnosisPage({ run, githubWebUrl }: RenderDiagnosisPageOptions): Html {
  const repoUrl = `${githubWebUrl}/${encodePath(run.repository)}`;
  const blobUrl = `${repoUrl}/blob/${encodeURIComponent(run.headSha)}`;
  const runLink = isWebLink(run.htmlUrl) ? run.htmlUrl : `${repoUrl}/actions/runs/${run.runId}`;
  return renderPageShell({
    title: `keel/ci · ${run.repository} · ${run.workflow}`,
    style: STYLE,
    body: html` <main>
      <p class="meta">keel/ci</p>
      <h1>${run.workflow} failed</h1>
      <dl>
        <dt>Repository</dt>
        <dd><a href="${repoUrl}">${run.repository}</a></dd>
        <dt>Run</dt>
        <dd><a href="${runLink}">#${run.runId}</a>${run.runAttempt > 1 ? `, attempt ${run.runAttempt}` : ''}</dd>
        <dt>Commit</dt>
        <dd>
          <a href="${repoUrl}/commit/${encodeURIComponent(run.headSha)}"><code>${run.headSha}</code></a>
        </dd>
        ${
          run.headBranch
            ? html`<dt>Branch</dt>
                <dd><code>${run.headBranch}</code></dd>`
            : ''
        }
        <dt>Event</dt>
        <dd>${run.event}</dd>
        <dt>Conclusion</dt>
        <dd>${run.conclusion}</dd>
        <dt>Diagnosed</dt>
        <dd>${new Date(run.updatedAt).toISOString()}</dd>
      </dl>
      <p class="summary">${describeCommitFailures([{ run, pageUrl: '' }])}</p>
      ${renderConfigError(run)}
      <section>
        <h2>Failed jobs (${run.diagnoses.length + run.notDiagnosed})</h2>
        ${run.diagnoses.map((diagnosis) => renderJob(diagnosis, blobUrl))}
        ${
          run.notDiagnosed > 0
            ? html`<p>
                Not diagnosed: ${run.notDiagnosed} more ${run.notDiagnosed === 1 ? 'job' : 'jobs'}. Keel reads at most
                30 failed jobs' logs per run; open the run to see the rest.
              </p>`
            : ''
        }
      </section>
    </main>`,
  });
}
