import { SmeeClient } from 'smee-client';

type SmeeFetch = NonNullable<NonNullable<Parameters<typeof SmeeClient.createChannel>[0]>['fetch']>;

/**
 * Creates a smee.io channel (Probot's setup does the same) and returns its URL, through the
 * platform fetch (which nock sees in tests) rather than smee-client's own undici.
 */
export function createSmeeChannel(): Promise<string> {
  return SmeeClient.createChannel({ fetch: globalThis.fetch as unknown as SmeeFetch });
}
