import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/feedback', name: 'feedback', component: () => import('@app/views/feedback/FeedbackHome.vue'), meta: { tab: 'feedback', title: 'feedback.title' } },
] satisfies RouteRecordRaw[]
