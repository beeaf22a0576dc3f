import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'
import { fileURLToPath } from 'node:url'
import { LAZY_CHUNKS } from './src/app/pwa/lazyChunks'

/** The manifest lives here so the build writes it with hashed icons precached. */
const manifest = {
  name: '楼栋通',
  short_name: '楼栋通',
  description: '楼栋长、居民小组长的入户走访、居民意见和读报点记录工具',
  lang: 'zh-CN',
  start_url: '/',
  scope: '/',
  display: 'standalone' as const,
  orientation: 'any' as const,
  background_color: '#ffffff',
  theme_color: '#1677d2',
  icons: [
    { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
}

/**
 * Every Vant component's style pulls in Vant's icon stylesheet, a 40 kB icon
 * font with a CDN fallback our CSP blocks; the app's own stylesheet of local
 * SVG icons (src/app/styles/vant-icons.css) takes its place.
 */
function vantIconsWithoutFont(): Plugin {
  const local = fileURLToPath(new URL('./src/app/styles/vant-icons.css', import.meta.url))
  return {
    name: 'loudong:vant-icons-without-font',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!source.endsWith('index.css') || !importer?.includes('vant')) return null
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
      return resolved && /[\\/]vant[\\/]es[\\/]icon[\\/]index\.css$/.test(resolved.id) ? local : null
    },
  }
}

/**
 * index.html names the login screen's chunk (and what it imports) as
 * modulepreloads, and their stylesheets as stylesheets: a first visit fetches
 * them alongside the entry instead of after the entry has run. Only the login
 * screen: it is the first screen of everyone not logged in, and small; the
 * logged-in home opens from the service worker's cache, where a preload buys
 * nothing.
 */
function preloadLoginScreen(): Plugin {
  return {
    name: 'loudong:preload-login-screen',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return html
        const chunks = Object.values(bundle).filter((c): c is Extract<typeof c, { type: 'chunk' }> => c.type === 'chunk')
        const login = chunks.find((c) => c.facadeModuleId?.endsWith('/src/app/views/login/LoginView.vue'))
        if (!login) throw new Error('preload-login-screen: no chunk for views/login/LoginView.vue')
        const files = new Set<string>()
        const add = (file: string) => {
          if (files.has(file)) return
          files.add(file)
          for (const dep of bundle[file]?.type === 'chunk' ? (bundle[file] as typeof login).imports : []) add(dep)
        }
        add(login.fileName)
        const named = (f: string) => html.includes(`/${f}"`)
        // the screen's stylesheets too, imports' before the importer's as vite's loader would add them:
        // otherwise they are fetched only once the entry has run, a second round trip before the first
        // paint (the loader sees them present and does not fetch them again)
        const css = [...files].reverse().flatMap((f) => [...((bundle[f] as typeof login).viteMetadata?.importedCss ?? [])])
        const tags = [
          ...[...files].filter((f) => !named(f)).map((f) => `    <link rel="modulepreload" crossorigin href="/${f}">`),
          ...[...new Set(css)].filter((f) => !named(f)).map((f) => `    <link rel="stylesheet" crossorigin href="/${f}">`),
        ]
        return html.replace('</head>', `${tags.join('\n')}\n  </head>`)
      },
    },
  }
}

export default defineConfig({
  resolve: {
    alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)), '@app': fileURLToPath(new URL('./src/app', import.meta.url)) },
  },
  plugins: [
    vantIconsWithoutFont(),
    preloadLoginScreen(),
    vue(),
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/app',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest,
      // the glob below already takes the icons, and the plugin adds the manifest itself:
      // listing either twice only doubles their precache entries
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,png,svg,ico}'],
        // not installed on every phone: ECharts, English and the online-only screens (src/app/pwa/lazyChunks.ts);
        // the service worker caches each the first time it is fetched (src/app/sw.ts)
        globIgnores: LAZY_CHUNKS.map((name) => `**/assets/${name}-*`),
      },
      devOptions: { enabled: false },
    }),
  ],
  server: { proxy: { '/api': 'http://localhost:8080' } },
  build: {
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        // the English words (loaded only when chosen, see src/app/i18n) in one request, not one per area;
        // ECharts and its renderer in one chunk the precache leaves out (see globIgnores above)
        manualChunks: (id) => (id.includes('/src/app/i18n/en/') ? 'lang-en' : /[\\/]node_modules[\\/](echarts|zrender)[\\/]/.test(id) ? 'echarts' : undefined),
      },
    },
  },
})
