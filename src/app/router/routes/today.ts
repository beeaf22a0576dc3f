import type { RouteRecordRaw } from 'vue-router'

/** 今日: a building or resident group leader's day (the tab is shown to leaders only, components/layout/tabs.ts). */
export default [{ path: '/today', name: 'today', component: () => import('@app/views/today/TodayView.vue'), meta: { tab: 'today', title: 'today.title' } }] satisfies RouteRecordRaw[]
