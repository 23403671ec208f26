/** Links on Keel's server-rendered pages (the ci diagnosis and pr-checks details pages). */

/** A repository path (`owner/name`, `dir/file.ts`) encoded segment by segment for a URL. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Only web links are rendered as links (never `javascript:` and the like). */
export function isWebLink(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}
