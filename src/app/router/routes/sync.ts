import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/sync', name: 'sync', component: () => import('@app/views/sync/SyncDetails.vue'), meta: { tab: 'me', title: 'sync.title' } },
  { path: '/sync/attention', name: 'sync-attention', component: () => import('@app/views/sync/NeedsAttention.vue'), meta: { tab: 'me', title: 'sync.attention.title' } },
  { path: '/sync/quarantine', name: 'quarantine', component: () => import('@app/views/sync/QuarantineList.vue'), meta: { tab: 'me', title: 'quarantine.title' } },
  { path: '/sync/handovers', name: 'handovers', component: () => import('@app/views/sync/HandoverList.vue'), meta: { tab: 'me', title: 'handover.title' } },
] satisfies RouteRecordRaw[]
