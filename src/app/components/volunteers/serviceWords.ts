/** A service in words, as lists show it: "11月30日 · 关爱探访 · 1.5 小时", then where and the note. */
import type { ServiceView } from '@shared/index'
import { t } from '@app/i18n'
import { addressText } from '@app/i18n/address'
import { dayText } from '@app/components/rounds/words'
import { useOrgStore } from '@app/stores/org'

/** When, what and how long. */
export function serviceTitle(s: ServiceView): string {
  return `${dayText(new Date(s.at).toISOString())} · ${t(`volunteers.serviceKinds.${s.kind}`)} · ${t('volunteers.hours', { n: s.hours })}`
}

/** The households helped ("1栋 1单元 302、2单元 501") or the place, and the note. */
export function serviceMeta(s: ServiceView): string {
  return [servicePlace(s), s.note].filter(Boolean).join(' · ')
}

/** Where: the first household with its building, the others by door; a service for nobody in particular, its place's name. */
export function servicePlace(s: Pick<ServiceView, 'orgPath' | 'households'>): string {
  const name = useOrgStore().nodes.get(s.orgPath)?.name
  if (!s.households.length) return name ?? ''
  return s.households.map((h, i) => addressText(i === 0 ? name : undefined, h)).join(t('volunteers.listSep'))
}
