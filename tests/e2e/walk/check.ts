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

/** Collects console errors and uncaught exceptions of a page into `into`, named by the current screen. */
export function watchConsole(page: Page, into: Finding[], where: () => string): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push({ where: where(), what: `console error: ${m.text()}` })
  })
  page.on('pageerror', (e) => into.push({ where: where(), what: `page error: ${e.message}` }))
}
