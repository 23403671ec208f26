/** A `permissions` object as GitHub sends it, without the keys it leaves undefined. */
export function compactPermissions(permissions: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(permissions).filter((entry): entry is [string, string] => !!entry[1]));
}
