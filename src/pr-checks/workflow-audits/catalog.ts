/** The workflow audits Keel runs, as data: id (zizmor's), default severity, title and link. */
export const AUDIT_IDS = [
  'invalid-yaml',
  'template-injection',
  'excessive-permissions',
  'dangerous-triggers',
  'unpinned-uses',
  'artipacked',
  'github-env',
  'cache-poisoning',
  'bot-conditions',
  'secrets-inherit',
  'overprovisioned-secrets',
  'unredacted-secrets',
  'insecure-commands',
  'self-hosted-runner',
  'obfuscation',
  'archived-uses',
  'unsound-contains',
  'unsound-condition',
  'hardcoded-container-credentials',
  'unpinned-images',
  'known-vulnerable-actions',
  'ref-confusion',
  'stale-action-refs',
] as const;

export type AuditId = (typeof AUDIT_IDS)[number];
export type AuditSeverity = 'error' | 'warning';

export interface AuditInfo {
  /** `off`: run only when `.github/keel.yml` turns it on (zizmor's pedantic persona). */
  severity: AuditSeverity | 'off';
  /** One line, as the audits list in the README and the details page show it. */
  summary: string;
  link: string;
}

const ZIZMOR = 'https://docs.zizmor.sh/audits/';
const doc = (id: string): string => `${ZIZMOR}#${id}`;

export const AUDITS: Record<AuditId, AuditInfo> = {
  'invalid-yaml': {
    severity: 'error',
    summary: 'the file is not valid YAML, so GitHub cannot run it',
    link: 'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions',
  },
  'template-injection': {
    severity: 'error',
    summary: 'untrusted input expanded into code (run:, github-script, actions that execute an input)',
    link: doc('template-injection'),
  },
  'excessive-permissions': {
    severity: 'error',
    summary: 'write-all or broad write scopes, or no permissions: on an untrusted trigger',
    link: doc('excessive-permissions'),
  },
  'dangerous-triggers': {
    severity: 'warning',
    summary: 'pull_request_target / workflow_run; an error when the job checks out or runs the PR code',
    link: doc('dangerous-triggers'),
  },
  'unpinned-uses': {
    severity: 'error',
    summary: 'third-party action or reusable workflow not pinned to a commit SHA',
    link: doc('unpinned-uses'),
  },
  artipacked: {
    severity: 'warning',
    summary: 'actions/checkout persists the token in .git; an error when the workspace is uploaded',
    link: doc('artipacked'),
  },
  'github-env': {
    severity: 'error',
    summary: 'GITHUB_ENV / GITHUB_PATH written in a workflow triggered by untrusted input',
    link: doc('github-env'),
  },
  'cache-poisoning': {
    severity: 'error',
    summary: 'a release workflow restores a cache that pull requests can write',
    link: doc('cache-poisoning'),
  },
  'bot-conditions': {
    severity: 'error',
    summary: 'spoofable `github.actor == ...[bot]` checks on privileged triggers',
    link: doc('bot-conditions'),
  },
  'secrets-inherit': {
    severity: 'warning',
    summary: 'a reusable workflow receives every secret with `secrets: inherit`',
    link: doc('secrets-inherit'),
  },
  'overprovisioned-secrets': {
    severity: 'warning',
    summary: 'all secrets handed over at once (`toJSON(secrets)`, `secrets[...]`)',
    link: doc('overprovisioned-secrets'),
  },
  'unredacted-secrets': {
    severity: 'warning',
    summary: 'a field of a JSON secret, which GitHub does not mask in logs',
    link: doc('unredacted-secrets'),
  },
  'insecure-commands': {
    severity: 'error',
    summary: 'ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables set-env / add-path',
    link: doc('insecure-commands'),
  },
  'self-hosted-runner': {
    severity: 'warning',
    summary: 'a public repository runs jobs on self-hosted runners',
    link: doc('self-hosted-runner'),
  },
  obfuscation: {
    severity: 'warning',
    summary: 'an action path or expression written to hide what it does',
    link: doc('obfuscation'),
  },
  'archived-uses': {
    severity: 'warning',
    summary: 'an action whose repository is archived (no more security fixes)',
    link: doc('archived-uses'),
  },
  'unsound-contains': {
    severity: 'warning',
    summary: '`contains()` on a string where an exact match was meant',
    link: doc('unsound-contains'),
  },
  'unsound-condition': {
    severity: 'error',
    summary: 'an `if:` block scalar that always evaluates to true',
    link: doc('unsound-condition'),
  },
  'hardcoded-container-credentials': {
    severity: 'error',
    summary: 'a container registry password written in the workflow',
    link: doc('hardcoded-container-credentials'),
  },
  'unpinned-images': {
    severity: 'warning',
    summary: 'a container image without a tag, or `:latest`',
    link: doc('unpinned-images'),
  },
  'known-vulnerable-actions': {
    severity: 'error',
    summary:
      'an action version with a GitHub security advisory (critical, high or unrated: error; medium, low: warning)',
    link: doc('known-vulnerable-actions'),
  },
  'ref-confusion': {
    severity: 'warning',
    summary: "a `uses:` ref that names both a branch and a tag in the action's repository",
    link: doc('ref-confusion'),
  },
  'stale-action-refs': {
    severity: 'off',
    summary: 'a commit SHA pin that no tag of the action points to (zizmor: pedantic; off unless switched on)',
    link: doc('stale-action-refs'),
  },
};

/** Whether an audit runs under a repository's `workflowAudits` settings (else its own default). */
export function isAuditOn(
  settings: Partial<Record<AuditId, AuditSeverity | 'off'>> | undefined,
  audit: AuditId,
): boolean {
  return (settings?.[audit] ?? AUDITS[audit].severity) !== 'off';
}
