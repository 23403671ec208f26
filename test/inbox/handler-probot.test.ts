import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { example, testPrivateKey } from '../../fixtures/index.js';
import { HandlerProbot } from '../../src/inbox/handler-probot.js';

function handlerProbot(): HandlerProbot {
  return new HandlerProbot({
    appId: 1,
    privateKey: testPrivateKey(),
    secret: 'test-secret',
    log: pino({ level: 'silent' }),
  });
}

const comment = (body: string) => ({ ...example('issue_comment.created'), comment: { body } });
const holdsCommand = {
  when: (payload: { comment: { body: string } }) => payload.comment.body.startsWith('/keel'),
  otherwise: 'it holds no /keel command',
};

describe('which deliveries the handlers act on (triage)', () => {
  it('runs a delivery whose event or action has a handler, and says which name has none', () => {
    const probot = handlerProbot();
    probot.on('pull_request.opened', async () => undefined);
    probot.on(['push', 'workflow_run'], async () => undefined);
    expect(probot.triage('pull_request', example('pull_request.opened'))).toEqual({ run: true });
    expect(probot.triage('push', example('push'))).toEqual({ run: true });
    expect(probot.triage('workflow_run', example('workflow_run.completed'))).toEqual({ run: true });
    expect(probot.triage('pull_request', example('pull_request.closed'))).toEqual({
      run: false,
      reason: 'Keel has no handler for pull_request.closed',
    });
    expect(probot.triage('star', example('star.created'))).toEqual({
      run: false,
      reason: 'Keel has no handler for star.created',
    });
  });

  it('runs what a relevance accepts and declines the rest with its reason', () => {
    const probot = handlerProbot();
    probot.onRelevant('issue_comment.created', holdsCommand, async () => undefined);
    expect(probot.triage('issue_comment', comment('/keel help'))).toEqual({ run: true });
    expect(probot.triage('issue_comment', comment('Looks good to me'))).toEqual({
      run: false,
      reason: 'it holds no /keel command',
    });
  });

  it('runs whatever a handler without a relevance is registered for, beside a declining one', () => {
    const probot = handlerProbot();
    probot.onRelevant('issue_comment.created', holdsCommand, async () => undefined);
    probot.on('issue_comment', async () => undefined);
    expect(probot.triage('issue_comment', comment('Looks good to me'))).toEqual({ run: true });
  });

  it('knows of handlers registered through probot.webhooks, as Probot documents', () => {
    const probot = handlerProbot();
    probot.webhooks.on('push', async () => undefined);
    expect(probot.triage('push', example('push'))).toEqual({ run: true });
    probot.webhooks.onAny(async () => undefined);
    expect(probot.triage('star', example('star.created'))).toEqual({ run: true });
  });

  it('runs everything once a handler is registered for any event', () => {
    const probot = handlerProbot();
    probot.onRelevant('issue_comment.created', holdsCommand, async () => undefined);
    probot.onAny(async () => undefined);
    expect(probot.triage('issue_comment', comment('Looks good to me'))).toEqual({ run: true });
    expect(probot.triage('star', example('star.created'))).toEqual({ run: true });
  });

  it('runs a delivery whose payload makes the relevance throw: the handler judges it', () => {
    const probot = handlerProbot();
    probot.onRelevant('issue_comment.created', holdsCommand, async () => undefined);
    expect(probot.triage('issue_comment', { action: 'created', comment: null })).toEqual({ run: true });
  });

  it('dispatches to a handler registered with a relevance as Probot would', async () => {
    const probot = handlerProbot();
    const seen: string[] = [];
    probot.onRelevant('issue_comment.created', holdsCommand, async (context) => {
      seen.push(context.payload.comment.body);
    });
    const payload = example('issue_comment.created');
    await probot.receive({ id: 'one', name: 'issue_comment', payload });
    expect(seen).toEqual([payload.comment.body]);
  });
});
