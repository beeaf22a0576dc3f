/** Plain words for rounds: times in Shanghai, rooms as residents say them, who did it. */
import { t } from '@app/i18n'
import { addressText } from '@app/i18n/address'
import { dayText as dayOf, momentText } from '@app/i18n/dates'

/** "5月1日 14:02" / "May 1, 14:02": the app's one moment style (i18n/dates.ts) */
export const whenText = (iso: string): string => momentText(iso)

/** "5月1日" / "May 1": the app's one day style (i18n/dates.ts) */
export const dayText = (iso: string): string => dayOf(iso)

/** "2单元 302" / "Unit 2, Room 302" (i18n/address.ts, the one address format) */
export function doorText(household: string): string {
  return addressText(undefined, household)
}

/** 我 for the signed-in person, their name for someone this device can name, else 其他人. */
export function authorText(authorId: string, myId: string | undefined, name?: string): string {
  if (authorId === myId) return t('rounds.me')
  return name ?? t('rounds.someoneElse')
}

/** The route to a household's page. */
export function householdPath(building: string, household: string): string {
  return `/visits/h/${household}/${building}`
}
