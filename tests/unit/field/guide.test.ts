// @vitest-environment jsdom
/** Issue 16, the first-login guide: three steps, skipped or finished once per account, found again on 我的. */
import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import Vant from 'vant'
import { guideSeen, markGuideSeen } from '@app/guide/seen'
import GuideSteps from '@app/components/guide/GuideSteps.vue'

beforeEach(() => localStorage.clear())

describe('who has seen the guide', () => {
  it('is remembered per account on this browser', () => {
    expect(guideSeen('u-1')).toBe(false)
    markGuideSeen('u-1')
    markGuideSeen('u-1')
    expect(guideSeen('u-1')).toBe(true)
    expect(guideSeen('u-2')).toBe(false)
    expect(JSON.parse(localStorage.getItem('loudong.guide')!)).toEqual(['u-1'])
  })

  it('counts a broken stored value as nobody, and "*" as everybody', () => {
    localStorage.setItem('loudong.guide', '{not json')
    expect(guideSeen('u-1')).toBe(false)
    localStorage.setItem('loudong.guide', '["*"]')
    expect(guideSeen('u-9')).toBe(true)
  })
})

describe('the three steps', () => {
  it('go grid → visit → sync with "step n of 3", back and forth, and end with done', async () => {
    const wrapper = mount(GuideSteps, { global: { plugins: [Vant] } })
    const step = () => wrapper.find('[data-guide-step]').attributes('data-guide-step')
    expect(step()).toBe('grid')
    expect(wrapper.text()).toContain('第 1 步，共 3 步')
    expect(wrapper.find('[data-guide-back]').exists()).toBe(false)
    await wrapper.find('[data-guide-next]').trigger('click')
    expect(step()).toBe('visit')
    await wrapper.find('[data-guide-back]').trigger('click')
    expect(step()).toBe('grid')
    await wrapper.find('[data-guide-next]').trigger('click')
    await wrapper.find('[data-guide-next]').trigger('click')
    expect(step()).toBe('sync')
    expect(wrapper.text()).toContain('第 3 步，共 3 步')
    expect(wrapper.emitted('done')).toBeUndefined()
    await wrapper.find('[data-guide-next]').trigger('click')
    expect(wrapper.emitted('done')).toHaveLength(1)
  })
})
