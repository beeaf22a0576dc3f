/** Plain words for rounds: times in Shanghai, rooms as residents say them, who did it. */
import { locale, t } from '@app/i18n'
import { addressText } from '@app/i18n/address'

const ZONE = 'Asia/Shanghai'

/** "5月1日 14:02" / "5/1, 14:02" */
export function whenText(iso: string): string {
  return new Date(iso).toLocaleString(locale.value, { timeZone: ZONE, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** "5月1日" / "5/1" */
export function dayText(iso: string): string {
  return new Date(iso).toLocaleDateString(locale.value, { timeZone: ZONE, month: 'numeric', day: 'numeric' })
}

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
