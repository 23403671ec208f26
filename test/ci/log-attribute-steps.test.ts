import { describe, expect, it } from 'vitest';
import { createStepTracker, type JobStep } from '../../src/ci/log/attribute-steps.js';

const steps: JobStep[] = [
  { name: 'Set up job', number: 1, conclusion: 'success' },
  { name: 'Run actions/checkout@v4', number: 2, conclusion: 'success' },
  { name: 'Install', number: 3, conclusion: 'success' },
  { name: 'Run ./.github/actions/setup', number: 4, conclusion: 'success' },
  { name: 'Run npm test', number: 5, conclusion: 'failure' },
  { name: 'Run npm run deploy', number: 6, conclusion: 'skipped' },
  { name: 'Post Run actions/checkout@v4', number: 7, conclusion: 'success' },
  { name: 'Complete job', number: 8, conclusion: 'success' },
];

function stepsAfter(lines: string[]): string[] {
  const tracker = createStepTracker(steps);
  return lines.map((line) => {
    tracker.update(line);
    return tracker.current.name;
  });
}

describe('createStepTracker', () => {
  it('attributes lines before the first group to "Set up job"', () => {
    expect(stepsAfter(['Current runner version: 2.317.0'])).toEqual(['Set up job']);
  });

  it('matches an unnamed step by its "Run …" header', () => {
    expect(stepsAfter(['##[group]Run actions/checkout@v4'])).toEqual(['Run actions/checkout@v4']);
  });

  it('takes a header that matches no unnamed step as the next named step', () => {
    expect(stepsAfter(['##[group]Run actions/checkout@v4', '##[group]Run npm ci'])).toEqual([
      'Run actions/checkout@v4',
      'Install',
    ]);
  });

  it('keeps the groups a composite action prints inside its own step', () => {
    const lines = [
      '##[group]Run actions/checkout@v4',
      '##[group]Run npm ci',
      '##[group]Run ./.github/actions/setup',
      '##[group]Run echo inner',
    ];
    expect(stepsAfter(lines).at(-1)).toBe('Run ./.github/actions/setup');
  });

  it('jumps over skipped steps, which leave no trace in the log', () => {
    const lines = ['##[group]Run npm test', 'Post job cleanup.'];
    expect(stepsAfter(lines)).toEqual(['Run npm test', 'Post Run actions/checkout@v4']);
  });

  it('recognises the final "Complete job" step', () => {
    expect(stepsAfter(['##[group]Run npm test', 'Cleaning up orphan processes']).at(-1)).toBe('Complete job');
  });

  it('makes up steps from the headers when the job has no step list', () => {
    const tracker = createStepTracker([]);
    tracker.update('##[group]Run make test');
    expect(tracker.current).toMatchObject({ name: 'Run make test', number: 2 });
  });
});
