import type { OverlayProps } from 'vant'
import { t } from '@app/i18n'

/**
 * Props for a bottom sheet's overlay. Vant makes the overlay a button (a tap
 * closes the sheet) but gives it no name; the overlay passes other attributes
 * to its element, so the name goes in here. The cast: Vant's type lists only
 * its own props, not the attributes it forwards.
 */
export function sheetOverlay(): Partial<OverlayProps> {
  return { 'aria-label': t('common.closeSheet') } as unknown as Partial<OverlayProps>
}
