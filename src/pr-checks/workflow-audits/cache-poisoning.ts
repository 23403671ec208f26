import type { Step, Workflow } from '../rules/workflow-model.js';
import { findInput, getActionName, listSteps, type Audit, type AuditFinding } from './context.js';

/**
 * Actions that restore a cache, as data: the input that switches caching, whether caching is on
 * when the input is absent, and whether a true value turns it off (`ignore-cache`, `lookup-only`).
 */
const CACHING_ACTIONS: Readonly<
  Record<string, { input?: string; byDefault: boolean; inverted?: boolean; onlyWith?: string }>
> = {
  'actions/cache': { byDefault: true, input: 'lookup-only', inverted: true },
  'swatinem/rust-cache': { byDefault: true, input: 'lookup-only', inverted: true },
  'mozilla-actions/sccache-action': { byDefault: true },
  'hendrikmuhs/ccache-action': { byDefault: true },
  'actions/setup-node': { byDefault: true, input: 'package-manager-cache' },
  'actions/setup-python': { byDefault: false, input: 'cache' },
  'actions/setup-java': { byDefault: false, input: 'cache' },
  'actions/setup-go': { byDefault: true, input: 'cache' },
  'actions/setup-dotnet': { byDefault: false, input: 'cache' },
  'astral-sh/setup-uv': { byDefault: true, input: 'enable-cache' },
  'pnpm/action-setup': { byDefault: false, input: 'cache' },
  'oven-sh/setup-bun': { byDefault: false, input: 'cache' },
  'ruby/setup-ruby': { byDefault: false, input: 'bundler-cache' },
  'ramsey/composer-install': { byDefault: true, input: 'ignore-cache', inverted: true },
  'pyo3/maturin-action': { byDefault: false, input: 'sccache' },
  // Buildx caches its binary only for a pinned `version`.
  'docker/setup-buildx-action': { byDefault: true, input: 'cache-binary', onlyWith: 'version' },
  'gradle/actions': { byDefault: true, input: 'cache-disabled', inverted: true },
};
/** Steps that publish, making the workflow a release workflow whatever its trigger. */
const PUBLISHERS = new Set([
  'softprops/action-gh-release',
  'ncipollo/release-action',
  'pypa/gh-action-pypi-publish',
  'js-devtools/npm-publish',
  'goreleaser/goreleaser-action',
  'actions/create-release',
  'svenstaro/upload-release-action',
]);
const FALSE = /^(?:false|no|0|)$/i;

export const cachePoisoning: Audit = ({ workflow }) => {
  const release = findReleaseSignal(workflow);
  if (release === undefined) return [];
  return listSteps(workflow).flatMap(({ step }): AuditFinding[] =>
    step.uses && restoresCache(step)
      ? [
          {
            audit: 'cache-poisoning',
            lines: [step.uses.line, release.line],
            title: 'Release workflow restores a cache',
            explanation: `This workflow publishes (${release.why}), yet \`${step.uses.value}\` restores a cache that workflows running on pull requests and branches can write, so a poisoned cache can end up in the release.`,
            fix: 'Disable caching in release workflows (remove the cache step or set its cache input to false).',
            evidence: `uses: ${step.uses.value}`,
          },
        ]
      : [],
  );
};

function findReleaseSignal(workflow: Workflow): { line: number; why: string } | undefined {
  for (const trigger of workflow.triggers) {
    if (trigger.name === 'release') return { line: trigger.line, why: 'on release' };
    const tags = trigger.filters.find((f) => f.key === 'tags');
    if (trigger.name === 'push' && tags) return { line: tags.line, why: 'on tag pushes' };
    const branch = trigger.filters.find((f) => f.key === 'branches' && /release/i.test(f.value));
    if (trigger.name === 'push' && branch) return { line: branch.line, why: `on pushes to ${branch.value}` };
  }
  const publisher = listSteps(workflow).find(({ step }) => PUBLISHERS.has(getActionName(step.uses?.value ?? '') ?? ''));
  return publisher?.step.uses && { line: publisher.step.uses.line, why: `with ${publisher.step.uses.value}` };
}

function restoresCache(step: Step): boolean {
  const path = (step.uses?.value.split('@')[0] ?? '').toLowerCase();
  if (path.endsWith('/save')) return false;
  const action = CACHING_ACTIONS[path] ?? CACHING_ACTIONS[getActionName(step.uses?.value ?? '') ?? ''];
  if (!action || (action.onlyWith !== undefined && !findInput(step, action.onlyWith))) return false;
  const value = action.input ? findInput(step, action.input) : undefined;
  if (!value) return action.byDefault;
  // An expression (`${{ startsWith(github.ref, 'refs/tags/') }}`) may turn caching on for releases.
  // A negated one (`!startsWith(…)`) keeps it off there.
  if (value.expressions.length > 0) return !value.expressions.every((e) => e.text.startsWith('!'));
  return action.inverted ? FALSE.test(value.value.trim()) : !FALSE.test(value.value.trim());
}
