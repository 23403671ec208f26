/**
 * Example deliveries for `keel send` and the tests: real payloads from
 * @octokit/webhooks-examples, signed the way GitHub signs them.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}

const require = createRequire(import.meta.url);
let definitions: WebhookDefinition[] | undefined;

/** Example payloads for `name`, optionally only those with `action`; deep copies. */
export function findExamplePayloads(name: string, action?: string): Record<string, unknown>[] {
  definitions ??= require('@octokit/webhooks-examples') as WebhookDefinition[];
  const definition = definitions.find((candidate) => candidate.name === name);
  if (!definition) return [];
  return definition.examples
    .filter((example) => action === undefined || example.action === action)
    .map((example) => structuredClone(example));
}

export interface SignedDelivery {
  id: string;
  headers: Record<string, string>;
  body: string;
}

/** A delivery as GitHub sends it: JSON body, event and delivery headers, HMAC-SHA256 signature. */
export function signDelivery(
  secret: string,
  event: string,
  payload: unknown,
  id: string = randomUUID(),
): SignedDelivery {
  const body = JSON.stringify(payload);
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/keel',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-installation-target-type': 'integration',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
  };
}
