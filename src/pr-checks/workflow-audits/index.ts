/** The table of workflow audits: each is a pure function from a parsed workflow to findings. */
import type { ActionFacts } from './action-facts.js';
import { archivedUses } from './archived-uses.js';
import { knownVulnerableActions } from './known-vulnerable-actions.js';
import { refConfusion } from './ref-confusion.js';
import { staleActionRefs } from './stale-action-refs.js';
import { artipacked } from './artipacked.js';
import { botConditions } from './bot-conditions.js';
import { cachePoisoning } from './cache-poisoning.js';
import { unsoundCondition, unsoundContains } from './conditions.js';
import { hardcodedContainerCredentials, unpinnedImages } from './containers.js';
import { dangerousTriggers } from './dangerous-triggers.js';
import { excessivePermissions } from './excessive-permissions.js';
import { githubEnv } from './github-env.js';
import { insecureCommands } from './insecure-commands.js';
import { obfuscation } from './obfuscation.js';
import { overprovisionedSecrets } from './overprovisioned-secrets.js';
import { secretsInherit } from './secrets-inherit.js';
import { selfHostedRunner } from './self-hosted-runner.js';
import { templateInjection } from './template-injection.js';
import { unpinnedUses } from './unpinned-uses.js';
import { unredactedSecrets } from './unredacted-secrets.js';
import type { Workflow } from '../rules/workflow-model.js';
import { PRIVILEGED_TRIGGERS, UNTRUSTED_TRIGGERS, type Audit, type AuditFinding } from './context.js';

export const WORKFLOW_AUDITS: readonly Audit[] = [
  templateInjection,
  excessivePermissions,
  dangerousTriggers,
  unpinnedUses,
  artipacked,
  githubEnv,
  cachePoisoning,
  botConditions,
  secretsInherit,
  overprovisionedSecrets,
  unredactedSecrets,
  insecureCommands,
  selfHostedRunner,
  obfuscation,
  archivedUses,
  unsoundContains,
  unsoundCondition,
  hardcodedContainerCredentials,
  unpinnedImages,
  knownVulnerableActions,
  refConfusion,
  staleActionRefs,
];

export interface AuditOptions {
  publicRepository?: boolean;
  actionFacts?: ActionFacts;
}

/** Runs every audit over a parsed workflow. */
export function runWorkflowAudits(workflow: Workflow, options: AuditOptions = {}): AuditFinding[] {
  const ctx = {
    workflow,
    untrustedTriggers: workflow.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t.name)),
    privilegedTriggers: workflow.triggers.filter((t) => PRIVILEGED_TRIGGERS.has(t.name)),
    publicRepository: options.publicRepository ?? false,
    ...(options.actionFacts ? { actionFacts: options.actionFacts } : {}),
  };
  return WORKFLOW_AUDITS.flatMap((audit) => audit(ctx));
}

export type { AuditFinding } from './context.js';
export { AUDITS, AUDIT_IDS, type AuditId, type AuditSeverity } from './catalog.js';
