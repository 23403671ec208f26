import { describe, expect, it } from 'vitest';
import { checkPermissions } from '../../../src/connection/verify/checks/check-permissions.js';
import { judgePermissions } from '../../../src/connection/verify/judge-permissions.js';
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import installation from '../../../fixtures/connection/installation.json' with { type: 'json' };

const settingsUrl = 'https://github.com/organizations/acme/settings/installations/42';
const { workflows: _, ...withoutWorkflows } = installation.permissions;

type Registration = { permissions: Record<string, string>; events: string[] };

function judge(granted: Record<string, string>, requested: Registration = app) {
  return judgePermissions({
    granted,
    grantedEvents: installation.events,
    requested,
  });
}

describe('checkPermissions', () => {
  it('passes when everything required is granted, mentioning opt-in capabilities as info', () => {
    const check = checkPermissions({
      judgement: judge(installation.permissions),
      settingsUrl,
    });
    expect(check).toEqual({
      name: 'permissions',
      status: 'pass',
      finding: 'All 8 required permissions and 7 events are granted. info: opt-in rerun would need actions: write.',
      remedy: '',
    });
  });

  it('fails on a missing permission, naming the capability it disables', () => {
    const check = checkPermissions({
      judgement: judge(withoutWorkflows),
      settingsUrl,
    });
    expect([check.status, check.finding, check.disables]).toEqual([
      'fail',
      expect.stringContaining('Missing workflows: write (disables repair)'),
      ['repair'],
    ]);
  });

  it('tells an owner where to accept a permission the registration already requests', () => {
    const check = checkPermissions({
      judgement: judge(withoutWorkflows),
      settingsUrl,
    });
    expect(check.remedy).toBe(
      `An owner reviews and accepts the requested permissions at ${settingsUrl} (members cannot).`,
    );
  });

  it('tells the app owner to request a permission the registration lacks', () => {
    const registration = { ...app, permissions: withoutWorkflows };
    const check = checkPermissions({
      judgement: judge(withoutWorkflows, registration),
      settingsUrl,
    });
    expect(check.remedy).toMatch(
      /^The app registration does not request workflows: add it under the app's Permissions & events/,
    );
  });

  it('warns about a pending update for an opt-in permission without disabling anything', () => {
    const registration = {
      ...app,
      permissions: { ...app.permissions, actions: 'write' },
    };
    const check = checkPermissions({
      judgement: judge(installation.permissions, registration),
      settingsUrl,
    });
    expect([check.status, check.finding, check.disables]).toEqual([
      'warn',
      expect.stringContaining('An owner has a permission update waiting to accept (actions: write)'),
      undefined,
    ]);
  });

  it('warns about extra permissions for review', () => {
    const check = checkPermissions({
      judgement: judge({ ...installation.permissions, administration: 'read' }),
      settingsUrl,
    });
    expect([check.status, check.finding]).toEqual([
      'warn',
      expect.stringContaining('Granted but not needed by any capability: administration: read'),
    ]);
  });
});
