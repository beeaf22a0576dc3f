/**
 * Vitest global setup: the PostgreSQL the server tests run against. LOUDONG_TEST_PG_URL
 * (npm test starts one cluster for all its runs) or else a throwaway cluster started
 * here and stopped at the end. Without PostgreSQL the tests that need it fail with
 * HOW_TO_INSTALL; the others run.
 */
import type { TestProject } from 'vitest/node'
import { startCluster } from '../../scripts/pg-cluster.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** a database URL tests may create schemas in, or '' */
    pgUrl: string
    /** why there is no pgUrl */
    pgProblem: string
  }
}

export default function setup(project: TestProject): (() => void) | undefined {
  const given = process.env.LOUDONG_TEST_PG_URL
  if (given) {
    project.provide('pgUrl', given)
    project.provide('pgProblem', '')
    return undefined
  }
  try {
    const cluster = startCluster()
    project.provide('pgUrl', cluster.url)
    project.provide('pgProblem', '')
    return cluster.stop
  } catch (err) {
    project.provide('pgUrl', '')
    project.provide('pgProblem', err instanceof Error ? err.message : String(err))
    return undefined
  }
}
