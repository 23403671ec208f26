/**
 * Group commit: items that arrive while a write is in progress are written together by the next
 * call to `commit`, in one transaction. Under load one commit serves dozens of items (SQLite
 * writes far fewer pages, Postgres fsyncs once), and each caller still hears back only once its
 * own item is durable. `commit` must be all or nothing (a transaction), since a failed batch is
 * committed again item by item.
 */
export interface GroupCommit<Item, Result> {
  submit(item: Item): Promise<Result>;
}

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions<Item, Result> {
  /** Writes a batch in one transaction and returns one result per item, in order. */
  commit: (items: Item[]) => Promise<Result[]>;
  /** The most items one commit takes (bounded by SQL parameter limits). */
  maxBatch?: number;
}

export function createGroupCommit<Item, Result>({
  commit,
  maxBatch = 100,
}: GroupCommitOptions<Item, Result>): GroupCommit<Item, Result> {
  let queue: Pending<Item, Result>[] = [];
  let writing = false;

  // A batch that failed is written again item by item, so one item the database refuses (a
  // value out of range) fails alone instead of failing everyone it was batched with.
  async function commitOneByOne(batch: Pending<Item, Result>[]): Promise<void> {
    for (const pending of batch) {
      try {
        const [result] = await commit([pending.item]);
        pending.resolve(result as Result);
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await commit(batch.map((pending) => pending.item));
        batch.forEach((pending, index) => pending.resolve(results[index] as Result));
      } catch (error) {
        if (batch.length === 1) batch[0]?.reject(error);
        else await commitOneByOne(batch);
      }
    }
    writing = false;
  }

  return {
    submit(item) {
      return new Promise<Result>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Wait one turn of the event loop so work already under way joins this commit.
        if (!writing) {
          writing = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
