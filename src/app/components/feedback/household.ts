/** A household as people say it (unit 2, room 302) and back to its key (`2-3-2`). */
import { householdInLayout, householdKey, parseHouseholdKey, roomLabel, type BuildingLayout } from '@shared/index'

export interface DoorInput {
  /** null until the person picks one (a building of one unit needs no pick) */
  unit: number | null
  /** as typed: "302"; empty for no household */
  room: string
}

/**
 * The key of a typed door, null when nothing is typed, 'noUnit' when a room is
 * typed in a building of several units and no unit is picked, 'bad' when no
 * such room is in the building.
 */
export function doorKey(door: DoorInput, layout: BuildingLayout | undefined): string | null | 'bad' | 'noUnit' {
  const room = door.room.trim()
  if (!room) return null
  if (!/^\d{3,5}$/.test(room) || !layout) return 'bad'
  const unit = door.unit ?? (layout.units === 1 ? 1 : null)
  if (unit === null) return 'noUnit'
  const n = Number(room)
  const key = householdKey(unit, Math.floor(n / 100), n % 100)
  return householdInLayout(key, layout) ? key : 'bad'
}

export function doorOf(key: string | undefined | null): DoorInput {
  const h = key ? parseHouseholdKey(key) : null
  return h ? { unit: h.unit, room: roomLabel(key!) } : { unit: null, room: '' }
}
