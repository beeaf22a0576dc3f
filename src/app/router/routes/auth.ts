import type { RouteRecordRaw } from 'vue-router'

export default [
  { path: '/login', name: 'login', component: () => import('@app/views/login/LoginView.vue'), meta: { public: true, title: 'auth.title' } },
] satisfies RouteRecordRaw[]
