import type { RouteRecordRaw } from 'vue-router'

const record = () => import('@app/views/visits/VisitRecord.vue')

export default [
  {
    path: '/visits',
    name: 'visits',
    component: () => import('@app/views/visits/VisitsHome.vue'),
    meta: { tab: 'visits', title: 'visits.title' },
    // 需处理 links to `/visits?fix=<id>`: mending a refused visit happens in the full form
    beforeEnter: (to) => (typeof to.query.fix === 'string' ? { path: `/visits/fix/${to.query.fix}`, replace: true } : true),
  },
  // the building path has slashes, so it comes last
  { path: '/visits/h/:household/:building(.*)', name: 'visit-household', component: () => import('@app/views/visits/VisitHousehold.vue'), meta: { tab: 'visits', title: 'rounds.householdTitle' } },
  { path: '/visits/record', name: 'visit-record', component: record, meta: { tab: 'visits', title: 'rounds.form.newTitle' } },
  { path: '/visits/edit/:id', name: 'visit-edit', component: record, meta: { tab: 'visits', title: 'rounds.form.correctTitle' } },
  { path: '/visits/fix/:id', name: 'visit-fix', component: record, meta: { tab: 'visits', title: 'visits.fixTitle' } },
  { path: '/visits/care', name: 'visit-care', component: () => import('@app/views/visits/VisitCareList.vue'), meta: { tab: 'visits', title: 'rounds.care.title' } },
  { path: '/visits/search', name: 'visit-search', component: () => import('@app/views/visits/VisitSearch.vue'), meta: { tab: 'visits', title: 'rounds.search' } },
] satisfies RouteRecordRaw[]
