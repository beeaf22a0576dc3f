/**
 * How a building's grid is laid out: every unit side by side when they fit,
 * otherwise one unit at a time behind tabs. Doors never shrink below a thumb's
 * width and the page never scrolls sideways: a one-handed sideways swipe fights
 * the browser's back gesture and hides units off-screen without saying so.
 */
import { householdKey, type BuildingLayout } from '@shared/index'

/** rem: floor label column, narrowest door, gap between doors and between units */
export const FLOOR_LABEL_REM = 2.2
export const DOOR_MIN_REM = 3
export const GAP_REM = 0.3
export const UNIT_GAP_REM = 0.6

export function allUnitsFit(layout: BuildingLayout, widthPx: number, remPx: number): boolean {
  if (widthPx <= 0) return layout.units === 1
  const { units, roomsPerFloor: rooms } = layout
  // the label column, then each unit: a gap before it, its doors and the gaps between them
  const needed = FLOOR_LABEL_REM + units * (UNIT_GAP_REM + rooms * DOOR_MIN_REM + (rooms - 1) * GAP_REM)
  return needed * remPx <= widthPx
}

export interface FloorRow {
  floor: number
  /** per shown unit, its rooms on this floor, left to right */
  units: { unit: number; doors: string[] }[]
}

/** Rows top floor first, as the building stands. */
export function floorRows(layout: BuildingLayout, units: readonly number[]): FloorRow[] {
  const rows: FloorRow[] = []
  for (let floor = layout.floors; floor >= 1; floor--) {
    rows.push({
      floor,
      units: units.map((unit) => ({ unit, doors: Array.from({ length: layout.roomsPerFloor }, (_, r) => householdKey(unit, floor, r + 1)) })),
    })
  }
  return rows
}
