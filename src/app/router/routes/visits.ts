import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/visits', name: 'visits', component: () => import('@app/views/visits/VisitsHome.vue'), meta: { tab: 'visits', title: 'visits.title' } },
] satisfies RouteRecordRaw[]
