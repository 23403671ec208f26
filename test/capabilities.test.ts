import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  capabilitiesLacking,
  capabilitiesDisabledBy,
  requiredPermissions,
  subscribedEvents,
} from '../src/capabilities.js';

const manifest = parse(readFileSync('app.yml', 'utf8')) as {
  default_permissions: Record<string, string>;
  default_events: string[];
  public: boolean;
};

describe('the capabilities table', () => {
  it('requests in app.yml exactly the permissions the default capabilities need', () => {
    expect(manifest.default_permissions).toEqual(requiredPermissions());
  });

  it('subscribes in app.yml to exactly the events the default capabilities handle', () => {
    expect([...manifest.default_events].sort()).toEqual(subscribedEvents());
  });

  it('asks for nothing beyond what the product needs', () => {
    expect(requiredPermissions()).toEqual({
      actions: 'read',
      contents: 'write',
      discussions: 'write',
      issues: 'write',
      metadata: 'read',
      pull_requests: 'write',
      statuses: 'write',
      workflows: 'write',
    });
  });

  it('registers a private app', () => {
    expect(manifest.public).toBe(false);
  });

  it('names the capabilities a missing permission switches off', () => {
    expect(capabilitiesLacking('workflows', undefined)).toEqual(['repair']);
    expect(capabilitiesLacking('statuses', 'read')).toEqual(['pr-checks', 'ci']);
  });

  it('keeps the opt-in re-run off when actions is only readable', () => {
    expect(capabilitiesDisabledBy({ ...requiredPermissions() })).toEqual(['rerun']);
  });
});
