/**
 * The peer's server for the side-by-side figure: express-pouchdb (the CouchDB
 * API on PouchDB, LevelDB on disk) in its own process, as our server is, with
 * a page on the same origin that loads the browser PouchDB build, so neither
 * side pays for CORS. Environment: PORT, DATA_DIR.
 *
 *   node --import tsx tests/bench/peer-server.ts
 */
import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { IncomingMessage, ServerResponse, Server } from 'node:http'

const require = createRequire(import.meta.url)

/** The parts of express's app we use (no @types/express is installed for one bench script). */
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void
  use(path: string, handler: unknown): void
  get(path: string, handler: (req: IncomingMessage, res: ServerResponse & { sendFile(path: string): void; type(t: string): ServerResponse & { send(body: string): void } }) => void): void
  listen(port: number, host: string, cb: () => void): Server
}
type ExpressFactory = () => ExpressApp
interface PouchDBStatic {
  defaults(opts: { prefix: string }): PouchDBStatic
}
type ExpressPouchDB = (pouch: PouchDBStatic, opts: { mode: string; inMemoryConfig?: boolean; logPath?: string; configPath?: string }) => unknown

const express = require('express') as ExpressFactory
const PouchDB = require('pouchdb') as PouchDBStatic
const expressPouchDB = require('express-pouchdb') as ExpressPouchDB

const port = Number(process.env.PORT ?? 5984)
const dataDir = process.env.DATA_DIR ?? join(process.cwd(), '.tmp/bench/peer-data')
mkdirSync(dataDir, { recursive: true })

const pouchDist = join(require.resolve('pouchdb/package.json'), '..', 'dist', 'pouchdb.min.js')
const app = express()
app.get('/peer/', (_req, res) => res.type('html').send('<!doctype html><meta charset="utf-8"><title>peer</title><script src="/peer/pouchdb.min.js"></script>'))
app.get('/peer/pouchdb.min.js', (_req, res) => res.sendFile(pouchDist))
app.use(
  '/db',
  expressPouchDB(PouchDB.defaults({ prefix: dataDir + '/' }), {
    mode: 'minimumForPouchDB',
    inMemoryConfig: true,
    logPath: join(dataDir, 'log.txt'),
    configPath: join(dataDir, 'config.json'),
  }),
)
const server = app.listen(port, '127.0.0.1', () => console.log(`peer listening on ${port}`))
process.on('SIGTERM', () => server.close(() => process.exit(0)))
