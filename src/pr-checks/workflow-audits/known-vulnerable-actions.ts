import {
  FULL_SHA,
  findLongestTag,
  listRemoteUses,
  type ActionAdvisory,
  type ActionRefs,
  type RemoteUses,
} from './action-facts.js';
import type { AuditSeverity } from './catalog.js';
import type { Audit, AuditFinding } from './context.js';
import { isInRange, isReleaseVersion } from './version-range.js';

/** zizmor's mapping: critical and high (and unrated, "a safe fallback") are high, so errors here. */
const SEVERITY: Record<ActionAdvisory['severity'], AuditSeverity> = {
  critical: 'error',
  high: 'error',
  unknown: 'error',
  medium: 'warning',
  low: 'warning',
};

/**
 * The release a `uses:` runs, as zizmor finds it: a SHA is the longest tag at that commit (or the
 * `# v1.2.3` comment beside it when the tags are unknown); a branch or tag is resolved to its commit
 * (branches first, as GitHub does) and then to the longest tag there (`v4` → `v4.2.2`). A series
 * left unresolved (`v4` with the tags unknown) is not judged: it runs whatever v4 release is latest.
 */
export function resolveVersion(uses: RemoteUses, refs: ActionRefs | undefined): string | undefined {
  const comment = /^v?\d+(?:\.\d+)*\S*/.exec(uses.field.comment ?? '')?.[0];
  if (FULL_SHA.test(uses.ref)) return (refs && findLongestTag(refs, uses.ref)) ?? comment;
  const commit = refs && [...refs.branches, ...refs.tags].find((ref) => ref.name === uses.ref)?.commit;
  return (commit && refs && findLongestTag(refs, commit)) ?? uses.ref;
}

export const knownVulnerableActions: Audit = ({ workflow, actionFacts }) => {
  if (!actionFacts) return [];
  return listRemoteUses(workflow)
    .filter((uses) => !uses.job)
    .flatMap((uses): AuditFinding[] => {
      const advisories = actionFacts.advisories.get(uses.repository);
      if (!advisories?.ok || advisories.value.length === 0) return [];
      const refs = actionFacts.refs.get(uses.repository);
      const version = resolveVersion(uses, refs?.ok ? refs.value : undefined);
      if (version === undefined || !isReleaseVersion(version)) return [];
      return advisories.value.flatMap((advisory): AuditFinding[] => {
        const range = advisory.ranges.find(
          (entry) => entry.vulnerableVersionRange !== null && isInRange(version, entry.vulnerableVersionRange) === true,
        );
        if (!range) return [];
        const patched = range.firstPatchedVersion;
        return [
          {
            audit: 'known-vulnerable-actions',
            severity: SEVERITY[advisory.severity],
            lines: [uses.field.line],
            title: `Action with a known vulnerability: ${advisory.ghsaId} (${advisory.severity})`,
            explanation: `${uses.repository} ${version} is affected by ${advisory.ghsaId}, rated ${advisory.severity}: ${advisory.summary} Affected versions: ${range.vulnerableVersionRange}. Advisory: ${advisory.url ?? advisory.ghsaId}`,
            fix: patched
              ? `Update ${uses.repository} to ${patched} or later (its first patched version), pinned by commit SHA with the version as a comment.`
              : `No patched version is published yet: remove ${uses.repository} or replace it until one is.`,
            evidence: `uses: ${uses.field.value}${uses.field.comment ? ` # ${uses.field.comment}` : ''}`,
            ...(advisory.url ? { link: advisory.url } : {}),
          },
        ];
      });
    });
};
