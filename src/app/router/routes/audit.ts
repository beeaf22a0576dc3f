import type { RouteRecordRaw } from 'vue-router'

/** 操作记录: the audit trail of the caller's scope, reached from 我的 (community staff and above). */
export default [
  { path: '/audit', name: 'audit', component: () => import('@app/views/audit/AuditView.vue'), meta: { tab: 'me', title: 'pipl.audit.title' } },
] satisfies RouteRecordRaw[]
