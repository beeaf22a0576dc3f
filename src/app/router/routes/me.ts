import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/me', name: 'me', component: () => import('@app/views/me/MeView.vue'), meta: { tab: 'me', title: 'me.title' } },
  // one's own password; right after a one-time code's login, the only screen there is (router/index.ts)
  { path: '/me/password', name: 'me-password', component: () => import('@app/views/me/MePassword.vue'), meta: { tab: 'me', title: 'accounts.password.title' } },
  // 账号管理: community staff and above (the server checks every call)
  { path: '/me/accounts', name: 'me-accounts', component: () => import('@app/views/me/MeAccounts.vue'), meta: { tab: 'me', title: 'accounts.manage.title' } },
] satisfies RouteRecordRaw[]
