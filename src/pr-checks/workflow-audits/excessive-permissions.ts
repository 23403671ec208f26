import type { Permissions } from '../rules/workflow-model.js';
import type { Audit, AuditFinding } from './context.js';

/** Scopes whose write access lets a compromised step change code, releases or packages. */
const BROAD_WRITES = new Set([
  'contents',
  'packages',
  'actions',
  'deployments',
  'id-token',
  'security-events',
  'checks',
  'statuses',
  'pages',
  'attestations',
]);

function readAll(line: number, scope: string): AuditFinding {
  return {
    audit: 'excessive-permissions',
    severity: 'warning',
    lines: [line],
    title: 'read-all permissions',
    explanation: `${scope} grants read access to every scope (including security events and secrets scanning alerts) where one or two are needed.`,
    fix: 'List the scopes the jobs read, for example `permissions: contents: read`.',
    evidence: 'read-all',
  };
}

export const excessivePermissions: Audit = ({ workflow, untrustedTriggers }) => {
  if (workflow.kind !== 'workflow') return [];
  const untrusted = untrustedTriggers.length > 0;
  const triggerLines = untrustedTriggers.map((t) => t.line);
  const triggers = [...new Set(untrustedTriggers.map((t) => t.name))].join(', ');
  const findings: AuditFinding[] = [];
  const check = (permissions: Permissions, scope: string, isWorkflowLevel: boolean) => {
    const broad = permissions.writes.filter((w) => w.scope === 'write-all' || BROAD_WRITES.has(w.scope));
    const flagged = untrusted
      ? permissions.writes
      : isWorkflowLevel
        ? broad
        : permissions.writes.filter((w) => w.scope === 'write-all');
    if (flagged.length === 0) return;
    const grants = flagged.map((w) => (w.scope === 'write-all' ? 'write-all' : `${w.scope}: write`)).join(', ');
    findings.push({
      audit: 'excessive-permissions',
      lines: [...flagged.map((w) => w.line), ...triggerLines],
      severity: untrusted ? 'error' : 'warning',
      title: untrusted ? 'Write permissions on a workflow triggered by untrusted input' : 'Broad write permissions',
      explanation: untrusted
        ? `${scope} grants ${grants} while it runs on ${triggers}, events anyone can trigger with content they choose; any injection or compromised step inherits that access.`
        : `${scope} grants ${grants} to every job${isWorkflowLevel ? '' : ' step'}, so any compromised step or action can use it.`,
      fix: 'Set `permissions: contents: read` at the top and grant the smallest write scope only to the job that needs it, keeping untrusted content out of that job.',
      evidence: grants,
    });
  };
  if (workflow.permissions) check(workflow.permissions, 'The workflow', true);
  for (const job of workflow.jobs) {
    if (job.permissions) check(job.permissions, `Job "${job.id}"`, false);
  }
  if (workflow.permissions?.shorthand === 'read-all') findings.push(readAll(workflow.permissions.line, 'The workflow'));
  for (const job of workflow.jobs) {
    if (job.permissions?.shorthand === 'read-all') findings.push(readAll(job.permissions.line, `Job "${job.id}"`));
  }
  // Reusable workflows (workflow_call only) run their own steps with their caller's permissions.
  const calledOnly = workflow.triggers.every((t) => t.name === 'workflow_call');
  if (!workflow.permissions) {
    // A job calling another reusable workflow still gets the default token when unset.
    for (const job of workflow.jobs.filter((j) => !j.permissions && (!calledOnly || j.uses))) {
      findings.push({
        audit: 'excessive-permissions',
        severity: 'warning',
        lines: [job.line, ...triggerLines],
        title: untrusted
          ? 'No permissions: on a workflow triggered by untrusted input'
          : 'Job runs with the default token permissions',
        explanation: `Without \`permissions:\`, job "${job.id}" gets the repository's default token, which may write to contents, issues and pull requests${untrusted ? `, while the workflow runs on ${triggers}` : ''}.`,
        fix: 'Add `permissions: contents: read` (or `{}`) at the top and grant write scopes per job only where needed.',
        evidence: `job ${job.id}`,
      });
    }
  }
  return findings;
};
