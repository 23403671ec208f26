/**
 * GitHub advisory version ranges (`vulnerable_version_range`): comparators joined by commas, all of
 * which must hold, e.g. `>= 2.0.0, < 2.3.1`, `<= 1.4`, `= 0.2.0`. Versions compare numerically part
 * by part (`v` prefix dropped, missing parts are 0); a pre-release (`1.2.0-rc.1`) sorts before its release.
 */

interface Version {
  parts: number[];
  prerelease: string;
}

/** `v1.2.3`, `1.2`, `2.37.0` → a comparable version; undefined for anything else (`main`, a SHA). */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  return { parts: (match[1] ?? '').split('.').map(Number), prerelease: match[2] ?? '' };
}

function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i += 1) {
    const diff = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrereleases(a.prerelease.split('.'), b.prerelease.split('.'));
}

/** SemVer's order: identifier by identifier, numbers numerically and before words, fewer identifiers first. */
function comparePrereleases(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const [x = '', y = ''] = [a[i], b[i]];
    if (x === y) continue;
    const [xn, yn] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (xn && yn) return Math.sign(Number(x) - Number(y));
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

/**
 * A version naming one release (`v4.1.3`, `2.0.0-rc.1`), as opposed to a series (`v4`, `v4.1`) that
 * moves with each release: an advisory range says nothing certain about a series.
 */
export function isReleaseVersion(text: string): boolean {
  return (parseVersion(text)?.parts.length ?? 0) >= 3;
}

const COMPARATOR = /^(<=|>=|<|>|=)?\s*(\S+)$/;

/** True when `version` lies in `range`; undefined when either cannot be read. */
export function isInRange(version: string, range: string): boolean | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return undefined;
  let inside = true;
  for (const comparator of range.split(',').map((part) => part.trim())) {
    const match = COMPARATOR.exec(comparator);
    const bound = match ? parseVersion(match[2] ?? '') : undefined;
    if (!match || !bound) return undefined;
    const order = compareVersions(parsed, bound);
    const holds = {
      '<': order < 0,
      '<=': order <= 0,
      '>': order > 0,
      '>=': order >= 0,
      '=': order === 0,
    }[match[1] ?? '='];
    inside &&= holds ?? false;
  }
  return inside;
}
