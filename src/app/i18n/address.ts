import { parseHouseholdKey, roomLabel } from '@shared/index'
import { t } from './index'

/** "1栋" → "Bldg 1" in English; any other name (a tower's own name) as it is. */
export function buildingText(name: string): string {
  const n = /^(\d+)\s*栋$/.exec(name)?.[1]
  return n ? t('common.address.building', { n }) : name
}

/**
 * The one address format of the app: "1栋 2单元 302" / "Bldg 1, Unit 2, Room 302".
 * Without a building name, the door alone ("2单元 302" / "Unit 2, Room 302");
 * a household key the device cannot read is shown as it is.
 */
export function addressText(buildingName: string | undefined, household: string): string {
  const h = parseHouseholdKey(household)
  if (!h) return buildingName ? `${buildingText(buildingName)} ${household}` : household
  const door = { unit: h.unit, room: roomLabel(household) }
  return buildingName ? t('common.address.full', { building: buildingText(buildingName), ...door }) : t('common.address.door', door)
}
