import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { effectiveScopes as sharedEffectiveScopes, isUnderAny, joinedReadingPoints, parentPath, type NodeKind, type OrgNode } from '@shared/index'
import { db } from '@app/db/database'

/** The part of the organisation tree the server sent for this user, kept on the device. */
export const useOrgStore = defineStore('org', () => {
  /** every node this device knows, by path */
  const nodes = ref<Map<string, OrgNode>>(new Map())
  const loaded = computed(() => nodes.value.size > 0)

  async function load(): Promise<void> {
    const rows = await db.org.toArray()
    nodes.value = new Map(rows.map((n) => [n.path, n]))
  }

  /** Replaces the whole tree in one transaction, so a half-written tree is never seen. */
  async function replace(next: OrgNode[]): Promise<void> {
    await db.transaction('rw', db.org, async () => {
      await db.org.clear()
      await db.org.bulkPut(next)
    })
    nodes.value = new Map(next.map((n) => [n.path, n]))
  }

  function clear(): void {
    nodes.value = new Map()
  }

  /** Names from the top of the tree down to `path`, skipping levels the device does not know. */
  function trail(path: string): string[] {
    const names: string[] = []
    for (let p: string | null = path; p; p = parentPath(p)) {
      const n = nodes.value.get(p)
      if (n) names.unshift(n.name)
    }
    return names
  }

  /**
   * One readable line per group of sibling scopes: a leader of buildings 1 and 2
   * reads "盘龙区 › … › 第一居民小组 › 1栋、2栋" rather than the whole trail twice.
   */
  function scopeLines(scopes: readonly string[], sep: string, listSep: string): string[] {
    const byParent = new Map<string, string[]>()
    for (const s of scopes) {
      const parent = parentPath(s) ?? ''
      const names = byParent.get(parent) ?? []
      names.push(nodes.value.get(s)?.name ?? s)
      byParent.set(parent, names)
    }
    return [...byParent].map(([parent, names]) => [...(parent ? trail(parent) : []), names.join(listSep)].join(sep))
  }

  function under(scopes: readonly string[], kind: NodeKind): OrgNode[] {
    return [...nodes.value.values()]
      .filter((n) => n.kind === kind && isUnderAny(n.path, scopes))
      .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }))
  }

  /** the reading points placed directly under `parent` */
  function pointsAt(parent: string): OrgNode[] {
    return [...nodes.value.values()].filter((n) => n.kind === 'reading_point' && parentPath(n.path) === parent)
  }

  /**
   * Reading points a user takes part in: those inside their scopes, and those of
   * the group or community their scope sits in (a building leader reads at the
   * group's point, which is not under their building) — the shared rule the
   * server applies too.
   */
  function readingPointsFor(scopes: readonly string[]): OrgNode[] {
    return [...under(scopes, 'reading_point'), ...joinedReadingPoints(scopes, pointsAt)].sort((a, b) =>
      a.path.localeCompare(b.path, undefined, { numeric: true }),
    )
  }

  /** Where a user may read and write: their scopes plus their joined reading points (shared effectiveScopes). */
  function effectiveScopes(scopes: readonly string[]): string[] {
    return sharedEffectiveScopes(scopes, pointsAt)
  }

  return { nodes, loaded, load, replace, clear, trail, scopeLines, under, readingPointsFor, effectiveScopes }
})
