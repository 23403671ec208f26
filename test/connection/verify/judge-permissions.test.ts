import { describe, expect, it } from 'vitest';
import { judgePermissions } from '../../../src/connection/verify/judge-permissions.js';
import app from '../../../fixtures/connection/app.json' with { type: 'json' };
import installation from '../../../fixtures/connection/installation.json' with { type: 'json' };

const fullGrant = {
  granted: installation.permissions,
  grantedEvents: installation.events,
};

describe('judgePermissions', () => {
  it('finds nothing missing when the installation grants what the default capabilities need', () => {
    const { permissions, events } = judgePermissions(fullGrant);
    expect([permissions.missing, permissions.extra, events.missing, events.extra]).toEqual([[], [], [], []]);
  });

  it('lists the required permissions by name and level', () => {
    expect(judgePermissions(fullGrant).permissions.required).toEqual({
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

  it('names the capabilities a missing permission disables', () => {
    const { workflows: _, ...granted } = installation.permissions;
    expect(judgePermissions({ ...fullGrant, granted }).permissions.missing).toEqual([
      { permission: 'workflows', level: 'write', capabilities: ['repair'] },
    ]);
  });

  it('counts a permission granted below the needed level as missing', () => {
    const granted = { ...installation.permissions, issues: 'read' };
    expect(judgePermissions({ ...fullGrant, granted }).permissions.missing).toEqual([
      {
        permission: 'issues',
        level: 'write',
        capabilities: ['ci', 'commands'],
      },
    ]);
  });

  it('does not count opt-in capabilities as missing, and lists them as opt-in', () => {
    const judgement = judgePermissions(fullGrant);
    expect(judgement.optIn).toEqual([{ permission: 'actions', level: 'write', capabilities: ['rerun'] }]);
  });

  it('keeps opt-in capabilities out of the capabilities a missing permission disables', () => {
    const { actions: _, ...granted } = installation.permissions;
    expect(judgePermissions({ ...fullGrant, granted }).permissions.missing).toEqual([
      { permission: 'actions', level: 'read', capabilities: ['ci'] },
    ]);
  });

  it('lists permissions no capability needs as extra', () => {
    const granted = { ...installation.permissions, administration: 'write' };
    expect(judgePermissions({ ...fullGrant, granted }).permissions.extra).toEqual([
      { permission: 'administration', level: 'write' },
    ]);
  });

  it('lists permissions granted above the level any capability needs as extra', () => {
    const granted = { ...installation.permissions, metadata: 'write' };
    expect(judgePermissions({ ...fullGrant, granted }).permissions.extra).toEqual([
      { permission: 'metadata', level: 'write' },
    ]);
  });

  it('does not count a permission an opt-in capability uses as extra', () => {
    const granted = { ...installation.permissions, actions: 'write' };
    expect(judgePermissions({ ...fullGrant, granted }).permissions.extra).toEqual([]);
  });

  it('names the capabilities a missing event disables', () => {
    const grantedEvents = installation.events.filter((event) => event !== 'workflow_run');
    expect(judgePermissions({ ...fullGrant, grantedEvents }).events.missing).toEqual([
      { event: 'workflow_run', capabilities: ['ci', 'repair'] },
    ]);
  });

  it('lists events no capability handles as extra', () => {
    const grantedEvents = [...installation.events, 'star'];
    expect(judgePermissions({ ...fullGrant, grantedEvents }).events.extra).toEqual(['star']);
  });

  it('reports what the app registration requests beyond the grant as a pending update', () => {
    const requested = {
      permissions: { ...app.permissions, actions: 'write' },
      events: [...app.events, 'check_run'],
    };
    expect(judgePermissions({ ...fullGrant, requested }).pendingUpdate).toEqual({
      permissions: [{ permission: 'actions', level: 'write' }],
      events: ['check_run'],
    });
  });
});
