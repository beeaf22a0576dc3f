import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/me', name: 'me', component: () => import('@app/views/me/MeView.vue'), meta: { tab: 'me', title: 'me.title' } },
] satisfies RouteRecordRaw[]
