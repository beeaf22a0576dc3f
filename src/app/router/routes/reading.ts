import type { RouteRecordRaw } from 'vue-router'

/**
 * One layout for the whole area: on a phone it shows either the list of points
 * or the screen below it; from tablet width up, both side by side.
 */
export default [
  {
    path: '/reading',
    component: () => import('@app/views/reading/ReadingLayout.vue'),
    children: [
      { path: '', name: 'reading', component: () => import('@app/views/reading/ReadingIndex.vue'), meta: { tab: 'reading', title: 'reading.title' } },
      // a point's org path keeps its slashes: /reading/point/pl/tuodong/…/rp-tiyu
      { path: 'point/:point+', name: 'reading-point', component: () => import('@app/views/reading/ReadingPointView.vue'), meta: { tab: 'reading', title: 'reading.title' } },
      { path: 'session', name: 'reading-session', component: () => import('@app/views/reading/ReadingSessionView.vue'), meta: { tab: 'reading', title: 'reading.session.title' } },
    ],
  },
] satisfies RouteRecordRaw[]
