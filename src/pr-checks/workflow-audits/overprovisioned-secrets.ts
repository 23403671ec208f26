import type { Audit, AuditFinding } from './context.js';
import { listAllFields } from './fields.js';

const WHOLE_SECRETS = /toJSON\(\s*secrets\s*\)|\bsecrets\s*\[/i;

export const overprovisionedSecrets: Audit = ({ workflow }) =>
  listAllFields(workflow).flatMap((field) =>
    field.expressions
      .filter((expression) => WHOLE_SECRETS.test(expression.text))
      .map((expression): AuditFinding => ({
        audit: 'overprovisioned-secrets',
        lines: [expression.line],
        title: 'Every secret handed over at once',
        explanation: `\`\${{ ${expression.text} }}\` makes all of the repository's secrets available to this step (and its logs), not just the one it needs.`,
        fix: 'Reference each secret by name: `${{ secrets.NAME }}`.',
        evidence: `\${{ ${expression.text} }}`,
      })),
  );
