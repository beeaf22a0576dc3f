/**
 * The built PWA on the same port as the API: hashed assets cached forever, the
 * entry points (index.html, sw.js, manifest) revalidated every time, and any other
 * page path answered with index.html so the client router can take it. Hashed
 * JS and CSS go out brotli- or gzip-compressed from the build's precompressed copies.
 */
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { existsSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { sendError } from './errors'

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

export const NO_BUILD_MESSAGE =
  '楼栋通服务器已运行,但还没有构建网页应用:请先运行 npm run build。\n' +
  'The Loudong server is running, but the web app has not been built: run npm run build first.\n'

/** Looks like a request for a file, not for a page: never answered with index.html. */
const FILE_LIKE = /\.(?:js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|json|webmanifest|txt|xml|wasm)$/i

export function cacheControlFor(filePath: string): string {
  const p = filePath.replaceAll('\\', '/')
  if (p.includes('/assets/')) return IMMUTABLE
  return REVALIDATE
}

export async function registerStatic(app: FastifyInstance, distDir: string | undefined): Promise<void> {
  const root = distDir ? resolve(distDir) : null
  const built = root !== null && existsSync(join(root, 'index.html'))

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      cacheControl: false,
      dotfiles: 'ignore',
      // the build writes .br and .gz beside each hashed JS/CSS file (scripts/compress-dist.mjs): sent
      // with Content-Encoding when accepted, with Vary: Accept-Encoding either way
      preCompressed: true,
      setHeaders: (reply, path) => {
        // `path` is the file sent, which may be the compressed copy
        const file = path.replace(/\.(?:br|gz)$/, '')
        reply.header('cache-control', cacheControlFor(file))
        if (basename(file) === 'sw.js') reply.header('service-worker-allowed', '/')
      },
    })
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', REVALIDATE).send(NO_BUILD_MESSAGE))
  }

  app.setNotFoundHandler(async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/'
    const page = (req.method === 'GET' || req.method === 'HEAD') && !path.startsWith('/api/') && path !== '/api'
    if (built && page && !path.startsWith('/assets/') && !FILE_LIKE.test(path)) {
      return reply.header('cache-control', REVALIDATE).sendFile('index.html', root, { cacheControl: false })
    }
    return sendError(req, reply, 404, 'not_found')
  })
}
