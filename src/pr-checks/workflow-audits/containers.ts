import type { Container, Field, Matrix } from '../rules/workflow-model.js';
import type { Audit, AuditFinding } from './context.js';

const listContainers = (workflow: Parameters<Audit>[0]['workflow']): Container[] =>
  workflow.jobs.flatMap((job) => [...(job.container ? [job.container] : []), ...job.services]);

export const hardcodedContainerCredentials: Audit = ({ workflow }) =>
  listContainers(workflow).flatMap(({ password }): AuditFinding[] =>
    password && password.value !== '' && password.expressions.length === 0
      ? [
          {
            audit: 'hardcoded-container-credentials',
            lines: [password.line],
            title: 'Container registry password written in the workflow',
            explanation: 'The registry password is in the file, readable by anyone who can read the repository.',
            fix: 'Store it as a secret and use `password: ${{ secrets.REGISTRY_PASSWORD }}`; revoke the exposed one.',
          },
        ]
      : [],
  );

/** Why an image reference is unpinned (no tag, or `latest`), or undefined when it is pinned. */
function describeUnpinned(image: string): string | undefined {
  if (image === '' || image.includes('@sha256:')) return undefined;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  if (tag !== undefined && tag !== 'latest') return undefined;
  return tag ? 'uses `latest`' : 'has no tag';
}

/** The images a field names: its own value, or through `${{ matrix.NAME }}` every value the matrix gives NAME. */
function listImages(image: Field, matrix: Matrix | undefined): string[] {
  if (image.expressions.length === 0) return [image.value];
  const whole = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(image.value.trim());
  if (!whole || !matrix) return [];
  return (matrix.values.get(whole[1] ?? '') ?? []).filter((f) => f.expressions.length === 0).map((f) => f.value);
}

export const unpinnedImages: Audit = ({ workflow }) =>
  workflow.jobs.flatMap((job) =>
    [...(job.container ? [job.container] : []), ...job.services].flatMap(({ image }): AuditFinding[] => {
      if (!image) return [];
      const unpinned = listImages(image, job.matrix).find((value) => describeUnpinned(value) !== undefined);
      if (unpinned === undefined) return [];
      const through = image.expressions.length > 0 ? ` (through \`${image.value.trim()}\`)` : '';
      return [
        {
          audit: 'unpinned-images',
          lines: [image.valueLine, image.line],
          title: 'Container image not pinned',
          explanation: `\`${unpinned}\`${through} ${describeUnpinned(unpinned) ?? ''}, so whatever the registry serves next runs in this job.`,
          fix: 'Pin a version tag, or better a digest: `image: name@sha256:<digest>`.',
          evidence: `image: ${unpinned}`,
        },
      ];
    }),
  );
