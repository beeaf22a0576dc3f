/**
 * Synchronous lookups over asynchronous storage. The shared rules (src/shared/rules.ts)
 * ask for org nodes and reading points synchronously, as the device's in-memory tree
 * answers them; storage answers with Promises. A `Preloaded` answers from what was
 * read; a key not read yet throws `NotLoaded`, and `settle` reads it and runs the
 * check again. Checks are pure, so a rerun answers as if the key had been there.
 */

/** Thrown by a lookup for a key that was not read yet. */
export class NotLoaded extends Error {
  constructor(readonly key: string) {
    super(`not read yet: ${key}`)
  }
}

export class Preloaded<V> {
  private readonly known = new Map<string, V>()
  constructor(private readonly read: (key: string) => Promise<V>) {}

  /** The value read for `key`; throws NotLoaded when it was not read yet. */
  readonly get = (key: string): V => {
    if (!this.known.has(key)) throw new NotLoaded(key)
    return this.known.get(key) as V
  }

  /** Records `keys` as read, with the values `of` gives (from one read of them all). */
  set(keys: Iterable<string>, of: (key: string) => V): void {
    for (const k of keys) this.known.set(k, of(k))
  }

  async load(keys: Iterable<string>): Promise<void> {
    for (const k of keys) if (!this.known.has(k)) this.known.set(k, await this.read(k))
  }

  /**
   * Runs `fn` until it no longer asks for a key not read. A NotLoaded from another
   * Preloaded is passed on (each settles its own keys).
   */
  async settle<T>(fn: () => T | Promise<T>): Promise<T> {
    for (let round = 0; ; round++) {
      try {
        return await fn()
      } catch (err) {
        if (!(err instanceof NotLoaded) || round > 1000) throw err
        await this.load([err.key])
      }
    }
  }
}
