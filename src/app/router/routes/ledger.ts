import type { RouteRecordRaw } from 'vue-router'

/** 台账: `?scope=PATH&month=YYYY-MM`, reached from 我的 (group leaders and staff). */
export default [
  { path: '/ledger', name: 'ledger', component: () => import('@app/views/ledger/LedgerView.vue'), meta: { tab: 'me', title: 'ledger.title' } },
] satisfies RouteRecordRaw[]
