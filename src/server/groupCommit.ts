/**
 * Group commit for pushed batches, in one server process. Batches that arrive while
 * a group is being written wait, and the next group writes all of them in ONE
 * transaction (storage's `appendGroup`): one commit (one fsync) and, on PostgreSQL,
 * one turn of the append lock for many batches instead of one each. Each batch is
 * still answered exactly as if it had been appended alone, in arrival order
 * (duplicates, conflicts, refusals and seqs included): `appendGroup` runs the
 * batches one after another inside the transaction.
 *
 * A group that fails (a connection lost, a check that needs an org node not read
 * yet: ../lookup.ts) leaves nothing behind; its batches are then written one by one,
 * so each caller gets its own answer or its own error.
 */
import type { Batch, BatchContext, BatchItem, BatchOutcome } from './storage'

/** A group stops growing at this many records (PostgreSQL: 65,535 parameters a statement). */
export const GROUP_MAX_RECORDS = 4000

interface Waiting {
  batch: Batch
  resolve: (outcomes: BatchOutcome[]) => void
  reject: (err: unknown) => void
}

/**
 * Returns an `appendBatch` that queues each batch and writes the queue in groups with
 * `appendGroup` (answers: one outcome list per batch, in the order given). The first
 * batch waits for the current I/O callbacks to run (setImmediate), so the requests
 * already received join it; later ones join while a group is being written.
 */
export function groupCommit(appendGroup: (batches: readonly Batch[]) => Promise<BatchOutcome[][]>): (items: readonly BatchItem[], ctx: BatchContext) => Promise<BatchOutcome[]> {
  let queue: Waiting[] = []
  let writing = false

  const take = (): Waiting[] => {
    let records = 0
    let n = 0
    while (n < queue.length && (n === 0 || records + queue[n]!.batch.items.length <= GROUP_MAX_RECORDS)) records += queue[n++]!.batch.items.length
    const group = queue.slice(0, n)
    queue = queue.slice(n)
    return group
  }

  const write = async (): Promise<void> => {
    while (queue.length) {
      const group = take()
      try {
        const outcomes = await appendGroup(group.map((w) => w.batch))
        group.forEach((w, i) => w.resolve(outcomes[i]!))
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err)
        // nothing of the group was stored: each batch alone, to give each its own answer
        else for (const w of group) await appendGroup([w.batch]).then((o) => w.resolve(o[0]!), w.reject)
      }
    }
    writing = false
  }

  return (items, ctx) =>
    new Promise<BatchOutcome[]>((resolve, reject) => {
      queue.push({ batch: { items, ctx }, resolve, reject })
      if (!writing) {
        writing = true
        setImmediate(() => void write())
      }
    })
}
