import { describe, expect, it } from 'vitest'
import { allUnitsFit, floorRows } from '@app/components/rounds/gridShape'

describe('grid shape', () => {
  it('puts the top floor first, units left to right, rooms in order', () => {
    const rows = floorRows({ units: 2, floors: 3, roomsPerFloor: 2 }, [1, 2])
    expect(rows.map((r) => r.floor)).toEqual([3, 2, 1])
    expect(rows[0]!.units).toEqual([
      { unit: 1, doors: ['1-3-1', '1-3-2'] },
      { unit: 2, doors: ['2-3-1', '2-3-2'] },
    ])
  })

  it('shows every unit side by side only when each door keeps a thumb-wide target', () => {
    const tower = { units: 3, floors: 33, roomsPerFloor: 4 }
    const walkUp = { units: 2, floors: 6, roomsPerFloor: 2 }
    // a 360px phone leaves ~296px for the grid
    expect(allUnitsFit(walkUp, 296, 18)).toBe(true)
    expect(allUnitsFit(walkUp, 296, 24)).toBe(false) // 特大字: one unit at a time
    expect(allUnitsFit(tower, 296, 18)).toBe(false)
    expect(allUnitsFit(tower, 1000, 18)).toBe(true)
    // unknown width (no layout engine): tabs unless there is only one unit
    expect(allUnitsFit(walkUp, 0, 18)).toBe(false)
    expect(allUnitsFit({ units: 1, floors: 11, roomsPerFloor: 4 }, 0, 18)).toBe(true)
  })

  it('keeps every door at least 48px wide when it fits', () => {
    for (const layout of [{ units: 2, floors: 6, roomsPerFloor: 2 }, { units: 3, floors: 33, roomsPerFloor: 4 }, { units: 2, floors: 6, roomsPerFloor: 3 }]) {
      for (const width of [296, 400, 600, 900]) {
        for (const rem of [18, 21, 24]) {
          if (!allUnitsFit(layout, width, rem)) continue
          const doors = layout.units * layout.roomsPerFloor
          const gaps = (2.2 + layout.units * 0.6 + layout.units * (layout.roomsPerFloor - 1) * 0.3) * rem
          expect((width - gaps) / doors).toBeGreaterThanOrEqual(48)
        }
      }
    }
  })
})
