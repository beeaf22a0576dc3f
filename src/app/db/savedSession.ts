/**
 * Whether this device holds a saved login, read with plain IndexedDB: the
 * start decides between the login page and the home screen with it, so the
 * login page never has to download the device database code (Dexie) at all.
 * DOM-free and dependency-free on purpose.
 */

/** The device database's name (database.ts opens it with Dexie). */
export const DB_NAME = 'loudong'

/**
 * True when `meta` holds a `session` row, or logouts made offline still to be
 * sent (`revokeLater`: the session store sends them at the start). Never creates the database: opening
 * one that does not exist yet is aborted in its upgrade, so Dexie later
 * creates it with every table as usual. Resolves false when IndexedDB is
 * missing or fails (private mode): the login page is the right answer then.
 */
export function hasSavedSession(idb: IDBFactory | undefined = globalThis.indexedDB, name = DB_NAME): Promise<boolean> {
  return new Promise((resolve) => {
    if (!idb) return resolve(false)
    let req: IDBOpenDBRequest
    try {
      req = idb.open(name)
    } catch {
      return resolve(false)
    }
    // no such database: abort its creation (open then fails), there is no session
    req.onupgradeneeded = () => req.transaction?.abort()
    req.onerror = () => resolve(false)
    req.onblocked = () => resolve(false)
    req.onsuccess = () => {
      const conn = req.result
      // another tab's upgrade must never wait for this connection
      conn.onversionchange = () => conn.close()
      try {
        if (!conn.objectStoreNames.contains('meta')) {
          conn.close()
          return resolve(false)
        }
        const meta = conn.transaction('meta', 'readonly').objectStore('meta')
        const session = meta.get('session')
        const revoke = meta.get('revokeLater')
        revoke.onsuccess = () => {
          conn.close()
          const pending = (revoke.result as { value?: unknown[] } | undefined)?.value?.length ?? 0
          resolve((session.result !== undefined && session.result !== null) || pending > 0)
        }
        revoke.onerror = () => {
          conn.close()
          resolve(false)
        }
      } catch {
        conn.close()
        resolve(false)
      }
    }
  })
}
