/**
 * "Did you mean …?" for a key `.github/keel.yml` does not know: the known keys at that place in
 * the schema, and the closest one by edit distance when it is close enough to be a typo.
 */
import type { z } from 'zod';

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
};

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schemas reachable at a schema position, through defaults, optionals, unions and transforms. */
function objectsAt(schema: z.ZodType): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  if (def.type === 'object' && def.shape) return [def.shape];
  if (def.innerType) return objectsAt(def.innerType);
  if (def.in) return objectsAt(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(objectsAt);
  return [];
}

/** The keys the schema accepts at `path` (empty when the path leads nowhere known). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let shapes = objectsAt(schema);
  for (const segment of path) {
    shapes = shapes.flatMap((shape) => {
      const child = shape[String(segment)];
      return child ? objectsAt(child) : [];
    });
  }
  return [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known key `key` was most likely meant to be, or undefined when none is close. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const folded = key.toLowerCase().replaceAll(/[-_]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(folded, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  const allowed = Math.max(1, Math.floor(key.length / 3));
  return best && best.distance <= allowed ? best.key : undefined;
}
