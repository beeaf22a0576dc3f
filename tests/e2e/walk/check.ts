/**
 * The checks run on every screen of the walk: axe-core (serious and critical
 * violations fail), sideways overflow, and console errors collected per page.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { BrowserContext, Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Injects axe into every page of the context, before any app script runs. */
export async function withAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: AXE_SOURCE })
}

export interface Finding {
  where: string
  what: string
}

interface AxeNode {
  target: string[]
  failureSummary?: string
}
interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: AxeNode[]
}

/** Serious and critical axe violations on the page as it is now, one line each. */
export async function axeFindings(page: Page, where: string): Promise<Finding[]> {
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> } }).axe
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations
  })
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ where, what: `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}` }))
}

/** The page is wider than the window: something pushes sideways. Names the widest offenders. */
export async function overflowFindings(page: Page, where: string): Promise<Finding[]> {
  const wide = await page.evaluate(() => {
    const limit = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth <= limit + 1) return null
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > limit + 1 && getComputedStyle(el).position !== 'fixed')
      .slice(-3)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`)
    return `${document.documentElement.scrollWidth}px > ${limit}px: ${culprits.join(', ')}`
  })
  return wide ? [{ where, what: `sideways overflow ${wide}` }] : []
}

/**
 * Short texts that name something (buttons, tabs, choices, labels, tags)
 * must not be split inside a word: "见到住/户", "Feed/back". A word here is a
 * run between spaces and punctuation, of 2 to 10 characters; it is broken when
 * its characters sit on more than one line. Running text (paragraphs) is not
 * checked, nor headings and cards (a place name may be longer than its column):
 * Chinese prose may wrap between any two characters.
 */
export async function brokenWordFindings(page: Page, where: string): Promise<Finding[]> {
  const broken = await page.evaluate(() => {
    const LABELS = 'button, label, legend, th, [role="button"], [role="tab"], .van-tag, .van-button, .ld-choice, .rail__label, .van-tabbar-item'
    const SEP = /[\s,。、:;!?()()·,.:;!?/|·•…—–\-+%"“”'‘’《》【】[\]]+/g
    const out: string[] = []
    const seen = new Set<Node>()
    for (const el of document.querySelectorAll<HTMLElement>(LABELS)) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (seen.has(node)) continue
        seen.add(node)
        const text = node.textContent ?? ''
        let start = 0
        for (const part of [...text.split(SEP)]) {
          const at = text.indexOf(part, start)
          start = at + part.length
          if (part.length < 2 || part.length > 10) continue
          const range = document.createRange()
          range.setStart(node, at)
          range.setEnd(node, at + part.length)
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
          if (tops.size > 1) out.push(`"${part}" in ${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')}`)
        }
      }
    }
    return out.slice(0, 5)
  })
  return broken.length ? [{ where, what: `word broken across lines: ${broken.join(', ')}` }] : []
}

/** Collects console errors and uncaught exceptions of a page into `into`, named by the current screen. */
export function watchConsole(page: Page, into: Finding[], where: () => string): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push({ where: where(), what: `console error: ${m.text()}` })
  })
  page.on('pageerror', (e) => into.push({ where: where(), what: `page error: ${e.message}` }))
}
