import type { Audit, AuditFinding } from './context.js';
import { listAllFields } from './fields.js';

/** A secret parsed as JSON: GitHub masks the whole value, not the fields the parse yields. */
const JSON_SECRET_FIELD = /fromJSON\(\s*secrets\.[\w-]+\s*\)/i;

export const unredactedSecrets: Audit = ({ workflow }) =>
  listAllFields(workflow).flatMap((field) =>
    field.expressions
      .filter((expression) => JSON_SECRET_FIELD.test(expression.text))
      .map((expression): AuditFinding => ({
        audit: 'unredacted-secrets',
        lines: [expression.line],
        title: 'Field of a JSON secret is not masked in logs',
        explanation: `GitHub masks a secret's whole value, not the fields \`\${{ ${expression.text} }}\` extracts, so the field can appear in clear in the logs.`,
        fix: 'Store each value you need as its own secret and reference it by name.',
        evidence: `\${{ ${expression.text} }}`,
      })),
  );
