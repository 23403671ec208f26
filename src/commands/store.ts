/**
 * Which command comments Keel answered: a row is written before the reply (`started`) and
 * updated after it (`replied`). A delivery handled again skips a replied comment without a
 * request, and looks for its marker on GitHub only when an earlier attempt may have replied.
 */
import type { Store } from '../store/database.js';

export interface CommandComment {
  repositoryId: number;
  /** issue-comment:<id> | discussion:<id> | discussion-comment:<id> */
  commentKey: string;
  installationId: number;
}

export type ReplyState = 'new' | 'started' | 'replied';

/** Records that Keel starts answering the comment; returns what an earlier attempt left. */
export async function startReply(store: Store, comment: CommandComment, now: number): Promise<ReplyState> {
  const inserted = await store.db
    .insertInto('command_replies')
    .values({
      repository_id: comment.repositoryId,
      comment_key: comment.commentKey,
      installation_id: comment.installationId,
      state: 'started',
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.columns(['repository_id', 'comment_key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return 'new';
  const row = await store.db
    .selectFrom('command_replies')
    .select('state')
    .where('repository_id', '=', comment.repositoryId)
    .where('comment_key', '=', comment.commentKey)
    .executeTakeFirst();
  return row?.state === 'replied' ? 'replied' : 'started';
}

export async function markReplied(store: Store, comment: CommandComment, now: number): Promise<void> {
  await store.db
    .updateTable('command_replies')
    .set({ state: 'replied', updated_at: now })
    .where('repository_id', '=', comment.repositoryId)
    .where('comment_key', '=', comment.commentKey)
    .execute();
}
