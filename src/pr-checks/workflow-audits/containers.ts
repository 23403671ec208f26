import type { Container } from '../rules/workflow-model.js';
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

export const unpinnedImages: Audit = ({ workflow }) =>
  listContainers(workflow).flatMap(({ image }): AuditFinding[] => {
    if (!image || image.value === '' || image.expressions.length > 0 || image.value.includes('@sha256:')) return [];
    const tag = /:([^/:]+)$/.exec(image.value)?.[1];
    if (tag !== undefined && tag !== 'latest') return [];
    return [
      {
        audit: 'unpinned-images',
        lines: [image.valueLine, image.line],
        title: 'Container image not pinned',
        explanation: `\`${image.value}\` ${tag ? 'uses `latest`' : 'has no tag'}, so whatever the registry serves next runs in this job.`,
        fix: 'Pin a version tag, or better a digest: `image: name@sha256:<digest>`.',
        evidence: `image: ${image.value}`,
      },
    ];
  });
