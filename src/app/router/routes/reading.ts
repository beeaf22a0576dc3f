import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/reading', name: 'reading', component: () => import('@app/views/reading/ReadingHome.vue'), meta: { tab: 'reading', title: 'reading.title' } },
] satisfies RouteRecordRaw[]
