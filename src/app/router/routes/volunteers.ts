import type { RouteRecordRaw } from 'vue-router'

/**
 * 志愿服务: a volunteer account's home (its pairings, its month, recording a
 * service, correcting one); for leaders and staff, reached from 我的, the
 * register, teams and pairings, each open to be edited or ended. The 微心愿 wall and its wishes sit beside it.
 */
export default [
  { path: '/volunteers', name: 'volunteers', component: () => import('@app/views/volunteers/VolunteersHome.vue'), meta: { tab: 'volunteers', title: 'volunteers.title' } },
  { path: '/volunteers/register', name: 'volunteer-register', component: () => import('@app/views/volunteers/VolunteerRegister.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.register' } },
  { path: '/volunteers/team', name: 'volunteer-team', component: () => import('@app/views/volunteers/TeamRegister.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.team' } },
  { path: '/volunteers/pair', name: 'volunteer-pair', component: () => import('@app/views/volunteers/PairingNew.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.pair' } },
  { path: '/volunteers/team/:id', name: 'volunteer-team-edit', component: () => import('@app/views/volunteers/TeamRegister.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.teamEdit' } },
  { path: '/volunteers/volunteer/:id', name: 'volunteer-edit', component: () => import('@app/views/volunteers/VolunteerRegister.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.volunteer' } },
  { path: '/volunteers/pairing/:id', name: 'volunteer-pairing-edit', component: () => import('@app/views/volunteers/PairingNew.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.pairing' } },
  { path: '/volunteers/service/:id', name: 'volunteer-service-correct', component: () => import('@app/views/volunteers/ServiceCorrect.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.correct' } },
  { path: '/volunteers/service', name: 'volunteer-service', component: () => import('@app/views/volunteers/ServiceNew.vue'), meta: { tab: 'volunteers', title: 'volunteers.titles.service' } },
  { path: '/wishes', name: 'wishes', component: () => import('@app/views/volunteers/WishWall.vue'), meta: { tab: 'volunteers', title: 'wishes.title' } },
  { path: '/wishes/new', name: 'wish-new', component: () => import('@app/views/volunteers/WishNew.vue'), meta: { tab: 'volunteers', title: 'wishes.new.title' } },
  { path: '/wishes/:id', name: 'wish', component: () => import('@app/views/volunteers/WishDetail.vue'), meta: { tab: 'volunteers', title: 'wishes.detailTitle' } },
] satisfies RouteRecordRaw[]
