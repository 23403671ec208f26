/**
 * Runs one validated command and returns its section of the reply: the gate first (thread, role,
 * grant, service), then the capability that owns the work (ci diagnoses and re-runs, pr-checks,
 * the verifier, repair). A failure becomes the section that explains it.
 */
import { CI_LINK_KIND } from '../ci/handler.js';
import { renderCiComment, CI_COMMENT_MARKER } from '../ci/render.js';
import { findFailingRuns, type StoredRun } from '../ci/store.js';
import { KeelError } from '../errors.js';
import type { IntegrationSettings } from '../integrations/store.js';
import { findExclusion } from '../integrations/exclusions.js';
import { specOf, type Command } from './catalog.js';
import type { CommandContext, Section } from './context.js';
import { findStoredRun } from './facts.js';
import { gateCommand } from './plan.js';
import { check, ignore } from './pr-check-commands.js';
import { pageUrl, renderFailure, renderHelp, renderStatus, shortSha } from './render.js';
import { renderRepairOutcome, renderVerification } from './render-outcomes.js';

/** Runs `command` after its gate; failures become the section that explains them. */
export async function runCommand(context: CommandContext, command: Command): Promise<Section> {
  const spec = specOf(command.name);
  try {
    const settings = await context.facts.settings();
    const decision = gateCommand(spec, {
      thread: context.thread,
      role: spec.acting && spec.where.includes(context.thread) ? await context.facts.role() : null,
      author: context.author,
      repository: context.repository.fullName,
      granted: await context.facts.granted(),
      services: settings.services,
      consoleUrl: context.consoleUrl,
    });
    if (!decision.run) return { body: decision.reply, ok: false };
    return await execute(context, command, settings);
  } catch (error) {
    context.deps.log.warn({ err: error, command: command.name }, `/keel ${command.name} failed`);
    if (error instanceof KeelError) return { body: renderFailure(spec, error.message, error.remedy), ok: false };
    return { body: renderFailure(spec, 'an unexpected error; see the Keel server log.'), ok: false };
  }
}

async function execute(context: CommandContext, command: Command, settings: IntegrationSettings): Promise<Section> {
  const { deps } = context;
  switch (command.name) {
    case 'help':
      return {
        ok: true,
        body: renderHelp({
          thread: context.thread,
          granted: await context.facts.granted(),
          services: settings.services,
          consoleUrl: context.consoleUrl,
        }),
      };
    case 'status': {
      const installation = await context.facts.installationState();
      return {
        ok: true,
        body: renderStatus({
          installationId: context.installationId,
          state: installation?.state ?? null,
          verifiedAt: installation ? new Date(installation.updatedAt).toISOString() : null,
          repository: context.repository.fullName,
          exclusion: findExclusion(settings.exclusions, context.repository.fullName),
          services: settings.services,
          consoleUrl: context.consoleUrl,
        }),
      };
    }
    case 'diagnose':
      return diagnose(context, command.runId);
    case 'rerun':
      return rerun(context);
    case 'verify': {
      const report = await deps.verify(context.installationId);
      return { ok: report !== undefined, body: renderVerification(report, context.installationId, context.consoleUrl) };
    }
    case 'repair': {
      const { id, owner, name, defaultBranch } = context.repository;
      const outcome = await deps.repair(deps, {
        installationId: context.installationId,
        repository: { id, owner, name, defaultBranch },
        trigger: 'command',
      });
      return { ok: true, body: renderRepairOutcome(outcome) };
    }
    case 'check':
      return check(context);
    case 'ignore':
      return ignore(context, command.rule, command.reason);
  }
}

async function diagnose(context: CommandContext, runId: number | null): Promise<Section> {
  const { deps, repository } = context;
  let run: StoredRun | undefined;
  if (runId === null) {
    const pull = await context.facts.pull();
    run = (await findFailingRuns(deps.store, repository.id, pull.head.sha)).at(-1);
    if (!run) return { ok: true, body: `Keel knows of no failed run on the head commit ${shortSha(pull.head.sha)}.` };
  } else {
    run = await findStoredRun(deps.store, repository.id, runId);
    if (!run) {
      return {
        ok: false,
        body: `Keel has no diagnosis of run ${runId}: it diagnoses failed runs of ${repository.fullName} when they complete.`,
      };
    }
  }
  if (run.diagnoses.length === 0 && run.notDiagnosed === 0) {
    return {
      ok: true,
      body: `Run [${run.runId}](${run.htmlUrl}) (${run.workflow}) did not fail: nothing to diagnose.`,
    };
  }
  const body = renderCiComment({
    state: 'failing',
    sha: run.headSha,
    diagnoses: run.diagnoses,
    diagnosisUrl: pageUrl(deps, CI_LINK_KIND, run.id),
    notDiagnosed: run.notDiagnosed,
  }).replace(`${CI_COMMENT_MARKER}\n`, '');
  return { ok: true, body: `${body}\n\n[Run ${run.runId}](${run.htmlUrl})` };
}

async function rerun(context: CommandContext): Promise<Section> {
  const { deps, repository } = context;
  const pull = await context.facts.pull();
  const failing = await findFailingRuns(deps.store, repository.id, pull.head.sha);
  if (failing.length === 0) {
    return {
      ok: true,
      body: `Keel knows of no failed run on the head commit ${shortSha(pull.head.sha)}: nothing to re-run.`,
    };
  }
  const granted = await context.facts.granted();
  const lines: string[] = [];
  for (const run of failing) {
    const result = await deps.rerun.rerunFailedJobs({
      installationId: context.installationId,
      repo: { id: repository.id, owner: repository.owner, name: repository.name },
      runId: run.runId,
      ...(granted ? { grantedPermissions: granted } : {}),
    });
    lines.push(`- [${run.workflow} #${run.runId}](${result.runUrl})`);
  }
  return { ok: true, body: [`Re-running the failed jobs of ${shortSha(pull.head.sha)}:`, ...lines].join('\n') };
}
