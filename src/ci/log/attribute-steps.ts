export interface JobStep {
  name: string;
  number: number;
  conclusion: string | null;
}

export interface StepTracker {
  /** The step the last line belongs to (a made-up one when the job's step list does not say). */
  readonly current: JobStep;
  /** Reads a marker line; returns true when it starts a new step. */
  update(line: string): boolean;
}

const RUN_GROUP = '##[group]Run ';
const POST_STEP_START = 'Post job cleanup.';
const COMPLETE_JOB_START = 'Cleaning up orphan processes';

/**
 * Attributes log lines to the job's steps. A raw job log has no step ids: a step starts with
 * `##[group]Run <title>`, post steps with "Post job cleanup.", the last step with "Cleaning up orphan
 * processes". Skipped steps leave no trace, and composite actions print their own `Run` groups, so a
 * group is matched to an unnamed step ("Run <title>") first and only then taken as the next named step.
 */
export function createStepTracker(steps: readonly JobStep[]): StepTracker {
  const ran = [...steps].filter((step) => step.conclusion !== 'skipped').sort((a, b) => a.number - b.number);
  let index = 0;
  let current: JobStep = ran[0] ?? { name: 'Set up job', number: 1, conclusion: null };
  let nextMadeUpNumber = current.number + 1;

  const moveTo = (found: number): true => {
    index = found;
    current = ran[found] as JobStep;
    return true;
  };
  const findAhead = (matches: (step: JobStep) => boolean): number =>
    ran.findIndex((step, at) => at > index && matches(step));

  const startRunGroup = (title: string): boolean => {
    const header = `Run ${title}`;
    const named = findAhead((step) => isRunOf(step.name, header));
    if (named !== -1) return moveTo(named);
    const next = ran[index + 1];
    if (next && !next.name.startsWith('Run ') && !isLifecycleStep(next.name)) return moveTo(index + 1);
    if (next || ran.length > 0) return false; // a group printed inside the current step
    current = { name: header, number: nextMadeUpNumber++, conclusion: null };
    return true;
  };

  return {
    get current() {
      return current;
    },
    update(line) {
      if (line.startsWith(RUN_GROUP)) return startRunGroup(line.slice(RUN_GROUP.length));
      if (line === POST_STEP_START) {
        const post = findAhead((step) => step.name.startsWith('Post '));
        return post !== -1 && moveTo(post);
      }
      if (line === COMPLETE_JOB_START) {
        const complete = findAhead((step) => step.name === 'Complete job');
        return complete !== -1 && moveTo(complete);
      }
      return false;
    },
  };
}

// Step names of unnamed steps may be cut short, and multi-line scripts show only their first line.
function isRunOf(stepName: string, header: string): boolean {
  return stepName === header || (stepName.length > 4 && header.startsWith(stepName));
}

function isLifecycleStep(name: string): boolean {
  return name === 'Set up job' || name === 'Complete job' || name.startsWith('Post ');
}
