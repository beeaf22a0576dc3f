import type { RouteRecordRaw } from 'vue-router'

const meta = { tab: 'feedback', title: 'feedback.title' } as const

/**
 * The list and an item's page share one layout (two panes from tablet width
 * up). Ids are UUIDs, so `new` and `metrics` can never be taken for one.
 */
export default [
  {
    path: '/feedback',
    component: () => import('@app/views/feedback/FeedbackHome.vue'),
    children: [
      { path: '', name: 'feedback', component: () => import('@app/views/feedback/FeedbackIndex.vue'), meta },
      { path: ':id([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})', name: 'feedback-detail', component: () => import('@app/views/feedback/FeedbackDetail.vue'), meta: { ...meta, title: 'feedback.detailTitle' } },
    ],
  },
  // reached from 意见, from a visit (channel=visit) and from a running reading session (returnTo)
  { path: '/feedback/new', name: 'feedback-new', component: () => import('@app/views/feedback/FeedbackNew.vue'), meta: { ...meta, title: 'feedback.newTitle' } },
  { path: '/feedback/metrics', name: 'feedback-metrics', component: () => import('@app/views/feedback/FeedbackMetrics.vue'), meta: { ...meta, title: 'feedback.metricsTitle' } },
] satisfies RouteRecordRaw[]
