import type { Context } from 'probot';
import { describe, expect, it } from 'vitest';
import { example } from '../fixtures/index.js';
import { listDeliveries } from '../src/inbox/deliveries.js';
import type { KeelPlugin } from '../src/keel.js';
import { startKeel } from './helpers/keel.js';

describe('a running Keel', () => {
  it('stops within the grace period even when a background job is still running', async () => {
    let hookStarted = false;
    const slowJob: KeelPlugin = (services) => {
      services.onStop(async () => {
        hookStarted = true;
        await new Promise(() => undefined); // a job stuck on an unreachable GitHub
      });
    };
    const keel = await startKeel({ plugins: [slowJob] });
    await keel.stop(); // a 2 s grace period; the hook never settles, so resolving at all is the outcome
    expect(hookStarted).toBe(true);
    expect(keel.logs.join('\n')).toContain('Background work did not finish within 2000 ms; stopping anyway');
    await expect(keel.keel.store.ping()).rejects.toThrow();
  });

  it('gives a usable URL when listening on an IPv6 address', async () => {
    const keel = await startKeel({ env: { HOST: '::1' } });
    try {
      expect(keel.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect(new URL(keel.url).hostname).toBe('[::1]');
    } finally {
      await keel.stop();
    }
  });

  it("hands handlers Probot's context without an Octokit: the event, its helpers, and a remedy for context.octokit", async () => {
    const seen: unknown[] = [];
    const keel = await startKeel({
      appFunctions: [
        (app) => {
          app.on('issue_comment.created', async (context: Context<'issue_comment.created'>) => {
            seen.push([context.name, context.id, context.payload.comment.id, context.issue(), context.isBot]);
            context.log.info('handled');
            void context.octokit;
          });
        },
      ],
    });
    try {
      const payload = example('issue_comment.created');
      expect((await keel.send('issue_comment', payload, 'comment-1')).status).toBe(202);
      await keel.keel.worker.idle();
      const { owner, name } = payload.repository;
      expect(seen).toEqual([
        [
          'issue_comment',
          'comment-1',
          payload.comment.id,
          { owner: owner.login, repo: name, issue_number: payload.issue.number },
          payload.sender.type === 'Bot',
        ],
      ]);
      const [delivery] = await listDeliveries(keel.keel.store, { limit: 1 });
      expect(delivery?.status).toBe('failed');
      expect(delivery?.error).toContain('context.octokit, which Keel does not build');
      expect(delivery?.error).toContain('deps.tokens');
    } finally {
      await keel.stop();
    }
  });

  it('holds received deliveries in memory up to KEEL_WORKER_HANDOFF_BYTES of payloads', async () => {
    const keel = await startKeel({ env: { KEEL_WORKER_HANDOFF_BYTES: String(1024 * 1024) } });
    try {
      const first = keel.keel.worker.reserve(null, 700_000);
      const second = keel.keel.worker.reserve(null, 700_000);
      expect([first?.claimedBy, second]).toEqual([keel.keel.worker.workerId, undefined]);
      first?.cancel();
    } finally {
      await keel.stop();
    }
  });

  it('records a subscribed event whose action no handler takes as processed, with nothing run', async () => {
    const ran: string[] = [];
    const keel = await startKeel({
      appFunctions: [(app) => app.on('pull_request.opened', async (context) => void ran.push(context.id))],
    });
    try {
      const closed = await keel.send('pull_request', example('pull_request.closed'), 'closed-1');
      expect(await closed.json()).toEqual({
        ok: true,
        message: 'Accepted; nothing to run: Keel has no handler for pull_request.closed.',
      });
      const star = await keel.send('star', example('star.created'), 'star-1');
      expect(await star.json()).toEqual({ ok: true, message: 'Stored; Keel does not handle star events.' });
      await keel.send('pull_request', example('pull_request.opened'), 'opened-1');
      await keel.keel.worker.idle();
      expect(ran).toEqual(['opened-1']);
      const rows = await listDeliveries(keel.keel.store, { limit: 10 });
      expect(rows.map((row) => [row.id, row.status, row.attempts])).toEqual([
        ['opened-1', 'processed', 1],
        ['star-1', 'ignored', 0],
        ['closed-1', 'processed', 0],
      ]);
      const listed = (await (await keel.api('/api/deliveries')).json()) as { id: string; durationMs: unknown }[];
      expect(listed.map(({ id, durationMs }) => [id, typeof durationMs])).toEqual([
        ['opened-1', 'number'],
        ['star-1', 'object'],
        ['closed-1', 'object'],
      ]);
    } finally {
      await keel.stop();
    }
  });
});
