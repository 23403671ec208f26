import { FULL_SHA, listRemoteUses } from './action-facts.js';
import type { Audit, AuditFinding } from './context.js';

/** zizmor's ref-confusion: a symbolic ref that names both a branch and a tag, so which one runs is unclear. */
export const refConfusion: Audit = ({ workflow, actionFacts }) => {
  if (!actionFacts) return [];
  return listRemoteUses(workflow).flatMap((uses): AuditFinding[] => {
    const refs = actionFacts.refs.get(uses.repository);
    if (!refs?.ok || FULL_SHA.test(uses.ref)) return [];
    const branch = refs.value.branches.some((ref) => ref.name === uses.ref);
    const tag = refs.value.tags.some((ref) => ref.name === uses.ref);
    if (!branch || !tag) return [];
    return [
      {
        audit: 'ref-confusion',
        lines: [uses.field.line],
        title: 'Action ref that is both a branch and a tag',
        explanation: `${uses.repository} has a branch and a tag both named \`${uses.ref}\`: GitHub picks one, a reviewer may read the other, and whoever can push the branch changes what runs.`,
        fix: `Pin the commit SHA you reviewed (\`uses: ${uses.field.value.split('@')[0]}@<sha> # ${uses.ref}\`), or a ref that is only a tag.`,
        evidence: `uses: ${uses.field.value}`,
      },
    ];
  });
};
