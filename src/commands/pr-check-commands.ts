/**
 * The commands that act on pull request checks: `/keel check` re-runs them on the current head
 * through the pr-checks handler; `/keel ignore` accepts the head's findings of a rule and writes
 * the recomputed `keel/pr-checks` status.
 */
import { permissionsOf } from '../capabilities.js';
import type { CapabilityDeps } from '../capability-deps.js';
import { writeStatus } from '../github/repository.js';
import { acceptFindings, applyAcceptedFindings, listAcceptances } from '../pr-checks/accepted-findings.js';
import { checkPullRequest, REPORT_LINK_KIND, type PrChecksPayload } from '../pr-checks/handler.js';
import { planFinalStatus } from '../pr-checks/report.js';
import { findReport, saveReport, type StoredReport } from '../pr-checks/store.js';
import type { RuleId } from '../pr-checks/types.js';
import type { CommandContext, Section } from './context.js';
import type { PullRequestFacts } from './facts.js';
import { inlineCode, pageUrl, shortSha } from './render.js';

/**
 * The pull request as a pull_request delivery carries it, for the pr-checks handler, which reads
 * the fields GET /pulls/{number} returns alike (number, state, head, title, body, updated_at).
 */
function checkPayload(context: CommandContext, pull: PullRequestFacts): PrChecksPayload {
  const { repository } = context;
  return {
    action: 'synchronize',
    pull_request: pull,
    repository: {
      id: repository.id,
      name: repository.name,
      full_name: repository.fullName,
      owner: { login: repository.owner },
    },
    installation: { id: context.installationId },
  } as unknown as PrChecksPayload;
}

function describeReport(deps: CapabilityDeps, stored: StoredReport): string {
  const { state, description } = stored.report;
  const icon = state === 'success' ? '✅' : '❌';
  return `${icon} ${inlineCode('keel/pr-checks')} on ${shortSha(stored.headSha)}: ${description} ([details](${pageUrl(deps, REPORT_LINK_KIND, stored.id)}))`;
}

export async function check(context: CommandContext): Promise<Section> {
  const { deps, repository } = context;
  const pull = await context.facts.pull();
  if (pull.state !== 'open')
    return { ok: false, body: 'This pull request is closed: Keel checks open pull requests only.' };
  await checkPullRequest(deps, checkPayload(context, pull));
  const stored = await findReport(deps.store, { repositoryId: repository.id, pullNumber: pull.number }, pull.head.sha);
  if (!stored) return { ok: false, body: `A newer commit than ${shortSha(pull.head.sha)} is being checked.` };
  return { ok: true, body: describeReport(deps, stored) };
}

export async function ignore(context: CommandContext, rule: RuleId, reason: string | null): Promise<Section> {
  const { deps, repository } = context;
  const pull = await context.facts.pull();
  const ref = { repositoryId: repository.id, pullNumber: pull.number };
  const stored = await findReport(deps.store, ref, pull.head.sha);
  if (!stored) {
    return {
      ok: false,
      body: `Keel has not checked ${shortSha(pull.head.sha)} yet: run ${inlineCode('/keel check')} first.`,
    };
  }
  const now = (deps.now ?? Date.now)();
  const request = { ...ref, installationId: context.installationId, rule, acceptedBy: context.author, reason };
  const count = await acceptFindings(deps.store, stored.report, request, now);
  if (count === 0) {
    return { ok: true, body: `${shortSha(pull.head.sha)} has no ${inlineCode(rule)} findings: nothing to accept.` };
  }
  const report = applyAcceptedFindings(stored.report, await listAcceptances(deps.store, ref));
  const id = await saveReport(deps.store, { ...stored, report }, now);
  const octokit = await deps.tokens.octokitFor({
    installationId: context.installationId,
    repositoryIds: [repository.id],
    permissions: permissionsOf('pr-checks'),
  });
  await writeStatus(octokit, context.ref, planFinalStatus(pull.head.sha, report, pageUrl(deps, REPORT_LINK_KIND, id)));
  const what = count === 1 ? `1 ${inlineCode(rule)} finding` : `${count} ${inlineCode(rule)} findings`;
  const why = reason ? ` (reason: ${inlineCode(reason)})` : '';
  return {
    ok: true,
    body: `Accepted ${what} for this pull request as @${context.author}${why}.\n\n${describeReport(deps, { ...stored, id, report })}`,
  };
}
