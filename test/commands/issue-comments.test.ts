import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDelivery, readPayloads } from '../../src/inbox/deliveries.js';
import { useGitHubMock } from '../helpers/github-mock.js';
import type { TestKeel } from '../helpers/keel.js';
import {
  COMMENT_ID,
  deliver,
  issueComment,
  mockCommandsToken,
  mockConfig,
  mockReactions,
  mockReply,
  recordedGitHub,
  startCommandsKeel,
  storeInstallation,
} from './scenario.js';

useGitHubMock();

let keel: TestKeel;
beforeEach(async () => {
  keel = await startCommandsKeel();
});
afterEach(() => keel.stop());

const MARKER = `<!-- keel:command-reply:${COMMENT_ID} -->`;

/** The requests of a comment Keel answers: config, token, 👀, the reply, then 🚀 or 😕. */
function answered(number = 1) {
  const github = recordedGitHub();
  mockConfig(github.scope, null);
  mockCommandsToken(github.scope);
  const reactions = mockReactions(github.scope);
  const replies = mockReply(github.scope, number);
  return { ...github, reactions, replies };
}

describe('/keel help on an issue', () => {
  it('reacts 👀 then 🚀 and replies once, marked with the command comment id', async () => {
    const { reactions, replies, requests } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel help'));
    expect(reactions).toEqual(['eyes', 'rocket']);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.startsWith(`${MARKER}\n`)).toBe(true);
    expect(requests).toEqual([
      'POST /app/installations/42/access_tokens',
      'GET /repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml',
      'GET /repos/Codertocat/.github/contents/.github%2Fkeel.yml',
      'POST /app/installations/42/access_tokens',
      'POST /repos/Codertocat/Hello-World/issues/comments/492700400/reactions',
      'POST /repos/Codertocat/Hello-World/issues/1/comments',
      'POST /repos/Codertocat/Hello-World/issues/comments/492700400/reactions',
    ]);
  });

  it('lists the commands that work on an issue, and the pull-request-only ones apart', async () => {
    const { replies } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel help'));
    const [working, other] = (replies[0] ?? '').split('**Not available here**');
    expect(working).toContain('`/keel status`');
    expect(working).toContain('`/keel verify`');
    expect(other).toContain('`/keel rerun`: re-runs the failed jobs');
    expect(other).toContain(
      '`/keel check`: re-runs the pull request checks on the current head _(write access)_: on pull requests only',
    );
  });

  it('names the permission to grant for a command the installation cannot run', async () => {
    await storeInstallation(keel, { metadata: 'read', issues: 'write', pull_requests: 'write', actions: 'read' });
    const { replies } = answered(2);
    await deliver(keel, 'issue_comment', issueComment('/keel help', { pull: true }));
    expect(replies[0]).toContain(
      "`/keel rerun`: re-runs the failed jobs of the head's failed runs _(write access)_: needs `actions: write` (a Keel admin adds it to the GitHub App, an organization owner accepts it)",
    );
    expect(replies[0]).toContain('`/keel diagnose [run-url|run-id]`: the CI diagnosis');
  });
});

describe('/keel status', () => {
  it("replies with the installation's state, the repository and services, and the console link", async () => {
    await storeInstallation(keel, { metadata: 'read' }, 'degraded');
    const { replies } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel status'));
    expect(replies[0]).toBe(
      [
        MARKER,
        'Installation 42: **degraded** (verified 2026-11-30T12:00:00.000Z).',
        'Repository Codertocat/Hello-World: not excluded.',
        'Services: `pr-checks` on, `ci` on, `repair` on, `commands` on, `rerun` off.',
        '',
        '[Open the console](https://keel.example.com/console/integrations/42)',
      ].join('\n'),
    );
  });
});

describe('comments Keel will not answer are recorded as processed, never run', () => {
  async function stored(id: string) {
    const row = await getDelivery(keel.keel.store, id);
    const payloads = row ? await readPayloads(keel.keel.store, [row.seq]) : new Map();
    return { status: row?.status, attempts: row?.attempts, payloadKept: payloads.size > 0 };
  }

  it('answers GitHub that a comment without a command has nothing to run, and keeps the row without its body', async () => {
    const response = await keel.send('issue_comment', issueComment('Thanks, looks good!'), 'prose');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      ok: true,
      message: 'Accepted; nothing to run: it holds no /keel command Keel would answer.',
    });
    await keel.keel.worker.idle();
    expect(await stored('prose')).toEqual({ status: 'processed', attempts: 0, payloadKept: false });
  });

  it("records a bot's command without running it", async () => {
    const bot = issueComment('/keel help', { user: { login: 'renovate[bot]', type: 'Bot' } });
    expect((await keel.send('issue_comment', bot, 'bot')).status).toBe(202);
    await keel.keel.worker.idle();
    expect(await stored('bot')).toEqual({ status: 'processed', attempts: 0, payloadKept: false });
  });

  it('runs a comment with a command, and keeps its payload', async () => {
    const github = answered();
    const response = await keel.send('issue_comment', issueComment('/keel help'), 'command');
    expect(await response.json()).toEqual({ ok: true, message: 'Accepted.' });
    await keel.keel.worker.idle();
    expect(await stored('command')).toEqual({ status: 'processed', attempts: 1, payloadKept: true });
    expect(github.replies).toHaveLength(1);
  });
});

describe('comments that are not answered', () => {
  it('ignores a comment without a command: no request at all', async () => {
    await deliver(keel, 'issue_comment', issueComment("You are totally right! I'll get this fixed right away."));
  });

  it('ignores bots, Keel included', async () => {
    await deliver(keel, 'issue_comment', issueComment('/keel help', { user: { login: 'keel[bot]', type: 'Bot' } }));
    await deliver(
      keel,
      'issue_comment',
      issueComment('/keel help', { user: { login: 'renovate', type: 'Bot' }, commentId: 7 }),
    );
  });

  it('ignores edits, even of a comment that now holds a command', async () => {
    const edited = { ...issueComment('/keel help'), action: 'edited', changes: { body: { from: 'hello' } } };
    await deliver(keel, 'issue_comment', edited);
  });

  it('ignores commands in code blocks and quotes', async () => {
    await deliver(keel, 'issue_comment', issueComment('```\n/keel rerun\n```\n> /keel check\n`/keel help`'));
  });

  it('stays silent when the console switched the commands service off', async () => {
    await keel.keel.store.db
      .insertInto('integrations')
      .values({
        id: '42',
        provider: 'github',
        host: 'github.com',
        external_id: '42',
        installation_id: 42,
        name: 'Codertocat',
        added_by: null,
        services: JSON.stringify({ commands: false }),
        exclusions: '[]',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    await deliver(keel, 'issue_comment', issueComment('/keel help'));
  });

  it('stays silent when .github/keel.yml says commands: false', async () => {
    const { scope, requests } = recordedGitHub();
    mockConfig(scope, 'commands: false\n');
    await deliver(keel, 'issue_comment', issueComment('/keel help'));
    expect(requests).toEqual([
      'POST /app/installations/42/access_tokens',
      'GET /repos/Codertocat/Hello-World/contents/.github%2Fkeel.yml',
    ]);
  });
});

describe('duplicate deliveries', () => {
  it('replies once when the same comment is delivered twice', async () => {
    const { replies } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel help'), 'delivery-1');
    await deliver(keel, 'issue_comment', issueComment('/keel help'), 'delivery-2');
    expect(replies).toHaveLength(1);
  });

  it('finds the reply an interrupted attempt made by its marker, and does not reply again', async () => {
    await keel.keel.store.db
      .insertInto('command_replies')
      .values({
        repository_id: 186853002,
        comment_key: `issue-comment:${COMMENT_ID}`,
        installation_id: 42,
        state: 'started',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
    const { scope, requests } = recordedGitHub();
    mockConfig(scope, null);
    mockCommandsToken(scope);
    scope
      .get('/repos/Codertocat/Hello-World/issues/1/comments')
      .query({ since: '2019-05-15T15:20:21Z', per_page: 100 })
      .reply(200, [{ id: 900, body: `${MARKER}\nthe reply` }]);
    await deliver(keel, 'issue_comment', issueComment('/keel help'));
    expect(requests.at(-1)).toBe(
      'GET /repos/Codertocat/Hello-World/issues/1/comments?since=2019-05-15T15%3A20%3A21Z&per_page=100',
    );
  });
});

describe('unknown commands and bad arguments', () => {
  it('answers an unknown command with the usage, and reacts 😕', async () => {
    const { reactions, replies } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel deploy'));
    expect(reactions).toEqual(['eyes', 'confused']);
    expect(replies[0]).toContain('Keel has no command "deploy".\n\nUsage: `/keel help`, `/keel status`');
  });

  it('runs several commands in order in one reply, each under its line', async () => {
    const { replies } = answered();
    await deliver(keel, 'issue_comment', issueComment('/keel status\n/keel rerun now'));
    const reply = replies[0] ?? '';
    expect(reply.indexOf('**`/keel status`**')).toBeLessThan(reply.indexOf('**`/keel rerun now`**'));
    expect(reply).toContain('`/keel rerun` takes no arguments.\n\nUsage: `/keel rerun`');
  });
});

describe('a .github/keel.yml Keel cannot read', () => {
  it('still answers, and says the defaults were used', async () => {
    const github = recordedGitHub();
    mockConfig(github.scope, 'commands: maybe\n');
    mockCommandsToken(github.scope);
    mockReactions(github.scope);
    const replies = mockReply(github.scope);
    await deliver(keel, 'issue_comment', issueComment('/keel status'));
    expect(replies[0]).toContain('Keel could not read `.github/keel.yml`');
    expect(replies[0]).toContain('commands ran with the defaults.');
  });
});
