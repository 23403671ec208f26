import { createStepTracker, type JobStep } from './log/attribute-steps.js';
import { normalizeLine } from './log/normalize-line.js';
import { readJobLog } from './log/read-job-log.js';
import { maskDiagnosisSecrets } from './mask-diagnosis.js';
import { composeExcerpt } from './parsers/compose-excerpt.js';
import { classifyGithubCause, preferCause, type GithubCause } from './parsers/github-causes.js';
import type { DiagnosisKind, Failure } from './parsers/log-parser.js';
import { StepSection, type SectionOutcome } from './parsers/step-section.js';
import type { RepairPending } from '../repair/repair-after-retirement.js';
import { findRetirements, type RepairPullLink, type RetirementNote } from './retirements.js';

export type { DiagnosisKind, Failure } from './parsers/log-parser.js';
export type { JobStep } from './log/attribute-steps.js';

export interface DiagnosedJob {
  id: number;
  name: string;
  conclusion: string | null;
  steps: JobStep[];
}

export interface Diagnosis {
  workflow: string;
  job: { id: number; name: string };
  failedStep: { name: string; number: number } | null;
  kind: DiagnosisKind;
  /** The tool whose output explained the failure (`vitest`, `tsc`, …), null when none did. */
  tool: string | null;
  /** At most 20, in log order. */
  failures: Failure[];
  failureCount: number;
  /** At most 30 log lines, timestamps stripped, that show the failure itself. */
  excerpt: string[];
  logUrl: string;
  exitCode?: number;
  /** Plain words for failures GitHub caused or for logs Keel could not read. */
  note?: string;
  /** Distinct secrets the quoted log text printed, masked before anything kept it. */
  secretsMasked?: number;
  /** What GitHub retired that the job's runner messages show (the repair capability's table). */
  retirements?: RetirementNote[];
  /** With `retirements`: Keel's open repair pull request for the repository, null when none is open. */
  repairPull?: RepairPullLink | null;
  /** With `retirements` and no repair pull request open: what became of the repair. */
  repairPending?: RepairPending;
}

export interface DiagnoseJobLogInput {
  workflow: string;
  job: DiagnosedJob;
  logUrl: string;
  lines: AsyncIterable<Uint8Array | string>;
}

const RUNNER_MARKER = '##[';
const RUNNER_ERROR = '##[error]';
const RUNNER_WARNING = '##[warning]';
/** Runner messages kept for the retirement rows: GitHub prints its notices there, early in a job. */
const MAX_RUNNER_MESSAGES = 100;
const RUN_GROUP = '##[group]Run ';
const MAX_RUNNER_ERRORS = 5;
const HASH = 35;
const LETTER_P = 80;
const LETTER_C = 67;

/** Streams one failed job's raw log through the parsers and says why the job failed. */
export async function diagnoseJobLog(input: DiagnoseJobLogInput): Promise<Diagnosis> {
  const tracker = createStepTracker(input.job.steps);
  const failingOutcomes: SectionOutcome[] = [];
  let section = new StepSection(tracker.current);
  let lastWork: SectionOutcome | null = null;
  let cause: GithubCause | null = null;
  let inRunHeader = false; // the script, shell and env the runner echoes before a step's output
  const runnerMessages: string[] = [];

  const closeSection = (): void => {
    // Keep a few failing steps (continue-on-error ones fail too), and always the one the API blames.
    const blamed = section.step.conclusion === 'failure';
    if (section.isFailing && (failingOutcomes.length < 3 || blamed)) failingOutcomes.push(section.finish());
    else if (section.lineCount > 0 && !isLifecycle(section.step.name)) lastWork = section.finish();
  };

  for await (const batch of readJobLog(input.lines)) {
    for (const raw of batch) {
      const line = normalizeLine(raw);
      const first = line.charCodeAt(0);
      if (first === HASH && line.startsWith(RUNNER_MARKER)) {
        if (line.startsWith(RUN_GROUP)) {
          if (tracker.update(line)) {
            closeSection();
            section = new StepSection(tracker.current);
          }
          inRunHeader = true;
        } else if (line.startsWith('##[endgroup]')) {
          inRunHeader = false;
        } else if (line.startsWith(RUNNER_ERROR)) {
          const message = line.slice(RUNNER_ERROR.length).trim();
          cause = preferCause(cause, classifyGithubCause(message));
          section.feedRunnerError(line, message);
          if (runnerMessages.length < MAX_RUNNER_MESSAGES) runnerMessages.push(message);
        } else if (line.startsWith(RUNNER_WARNING) && runnerMessages.length < MAX_RUNNER_MESSAGES) {
          runnerMessages.push(line.slice(RUNNER_WARNING.length).trim());
        }
        continue;
      }
      // Only "Post job cleanup." and "Cleaning up orphan processes" can start a step here.
      if ((first === LETTER_P || first === LETTER_C) && tracker.update(line)) {
        closeSection();
        section = new StepSection(tracker.current);
        inRunHeader = false;
      }
      if (inRunHeader) section.feedScriptLine(line);
      else section.feed(line);
    }
  }
  closeSection();
  const outcome = pickOutcome(failingOutcomes, input.job.steps) ?? lastWork;
  return maskDiagnosisSecrets(withRetirements(buildDiagnosis(input, outcome, cause), runnerMessages));
}

export interface DiagnoseJobWithoutLogInput {
  workflow: string;
  job: DiagnosedJob;
  logUrl: string;
  /** never-started: no runner ran it; log-expired: GitHub answered 410; log-unavailable: any other miss. */
  reason: 'never-started' | 'log-expired' | 'log-unavailable';
  /** Messages of the job's annotations, when they could be read (brownouts and the like show there). */
  annotations?: readonly string[];
}

const WITHOUT_LOG_NOTES: Record<DiagnoseJobWithoutLogInput['reason'], string> = {
  'never-started': 'The job never started: no runner picked it up, so it has no log.',
  'log-expired': "The job's log is gone (GitHub answered 410: logs expire after the retention period).",
  'log-unavailable': "Keel could not read the job's log, so only the failed step is known.",
};

/** A diagnosis from the job's metadata alone, for jobs that never ran or whose log is gone. */
export function diagnoseJobWithoutLog(input: DiagnoseJobWithoutLogInput): Diagnosis {
  const messages = (input.annotations ?? []).slice(0, MAX_RUNNER_ERRORS);
  const cause = messages.map(classifyGithubCause).reduce(preferCause, null) ?? causeOfConclusion(input.job.conclusion);
  const kind: DiagnosisKind = cause?.kind ?? (input.reason === 'never-started' ? 'infrastructure' : 'unknown');
  const diagnosis: Diagnosis = {
    workflow: input.workflow,
    job: { id: input.job.id, name: input.job.name },
    failedStep: findFailedStep(input.job.steps),
    kind,
    tool: null,
    failures: messages.map((message) => ({ message })),
    failureCount: messages.length,
    excerpt: messages,
    logUrl: input.logUrl,
    note: cause?.note ?? WITHOUT_LOG_NOTES[input.reason],
  };
  return maskDiagnosisSecrets(withRetirements(diagnosis, messages));
}

/** The diagnosis with the retirement rows its runner messages match, when any do. */
function withRetirements(diagnosis: Diagnosis, runnerMessages: readonly string[]): Diagnosis {
  const retirements = findRetirements(runnerMessages);
  return retirements.length > 0 ? { ...diagnosis, retirements } : diagnosis;
}

function pickOutcome(outcomes: readonly SectionOutcome[], steps: readonly JobStep[]): SectionOutcome | null {
  const failedStep = findFailedStep(steps);
  return (
    outcomes.find((outcome) => outcome.step.number === failedStep?.number) ??
    outcomes.find((outcome) => outcome.exitCode !== undefined) ??
    outcomes[0] ??
    null
  );
}

function buildDiagnosis(
  input: DiagnoseJobLogInput,
  outcome: SectionOutcome | null,
  runnerCause: GithubCause | null,
): Diagnosis {
  const cause = runnerCause ?? causeOfConclusion(input.job.conclusion);
  const base = {
    workflow: input.workflow,
    job: { id: input.job.id, name: input.job.name },
    failedStep:
      findFailedStep(input.job.steps) ?? (outcome ? { name: outcome.step.name, number: outcome.step.number } : null),
    logUrl: input.logUrl,
    ...(outcome?.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
    ...(cause ? { note: cause.note } : {}),
  };
  const runnerErrors = outcome?.runnerErrors ?? [];
  if (cause && (cause.kind === 'github-deprecation' || cause.kind === 'infrastructure')) {
    const failures = runnerErrors.map((message) => ({ message }));
    return {
      ...base,
      kind: cause.kind,
      tool: null,
      failures,
      failureCount: failures.length,
      excerpt: [...runnerErrors],
    };
  }
  const result = outcome?.result;
  if (result) {
    // A timeout or cancellation says so first, then shows what the tool had already reported.
    const blocks = cause ? [runnerErrors, ...result.blocks] : result.blocks;
    return {
      ...base,
      kind: cause?.kind ?? result.kind,
      tool: result.tool,
      failures: result.failures,
      failureCount: result.failureCount,
      excerpt: composeExcerpt(blocks, result.summary),
    };
  }
  // The fallback keeps any line that is not blank: without one, the step printed nothing.
  if (!cause && outcome && !outcome.fallback && !outcome.result && outcome.exitCode !== undefined) {
    const message = describeSilentFailure(outcome.exitCode, outcome.lastCommand);
    return {
      ...base,
      kind: 'unknown',
      tool: null,
      failures: [{ message }],
      failureCount: 1,
      excerpt: [],
      note: message,
    };
  }
  // No tool explains it: the runner's error messages, then the lines around the last error.
  const failures = cause ? [] : (outcome?.annotations?.failures ?? outcome?.fallback?.failures ?? []);
  return {
    ...base,
    kind: cause?.kind ?? 'unknown',
    tool: null,
    failures,
    failureCount: failures.length,
    // A problem matcher's lines are runner errors too: quote each once.
    excerpt: composeExcerpt([
      runnerErrors,
      ...(outcome?.fallback?.blocks ?? []).map((block) => block.filter((line) => !runnerErrors.includes(line.trim()))),
    ]),
  };
}

function describeSilentFailure(exitCode: number, lastCommand: string | undefined): string {
  const command = lastCommand ? `, last command \`${lastCommand}\`` : '';
  return `The step failed without output: exit code ${exitCode}${command}.`;
}

function causeOfConclusion(conclusion: string | null): GithubCause | null {
  if (conclusion === 'timed_out')
    return { kind: 'timeout', note: 'The job was stopped at its time limit (timeout-minutes).' };
  if (conclusion === 'cancelled') return { kind: 'cancelled', note: 'The job was cancelled before it finished.' };
  return null;
}

function findFailedStep(steps: readonly JobStep[]): { name: string; number: number } | null {
  // A step stopped by a timeout or a cancellation is "cancelled", not "failure".
  const failed =
    steps.find((step) => step.conclusion === 'failure') ??
    steps.find((step) => step.conclusion === 'cancelled' || step.conclusion === 'timed_out');
  return failed ? { name: failed.name, number: failed.number } : null;
}

function isLifecycle(name: string): boolean {
  return name === 'Set up job' || name === 'Complete job' || name.startsWith('Post ');
}
