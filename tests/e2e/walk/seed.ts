/**
 * What the walk needs on the server before anyone logs in, pushed through the
 * real sync API as the people who would write it: care households overdue, an
 * item in a building leader's inbox, and one she raised that her group leader
 * resolved (有新进展 on her phone).
 */
import { uuidv7 } from '@shared/ids'
import { api, apiLogin } from '../harness'

export const B01 = 'pl/tuodong/mingtongxiang/g01/b01'
export const ZHANG = { phone: '13800000001', id: 'demo-13800000001' }
export const WANG = { phone: '13800000002', id: 'demo-13800000002' }
const DAY = 86_400_000

async function push(url: string, phone: string, records: object[]): Promise<void> {
  const token = await apiLogin(url, phone)
  const { status, json } = await api<{ results: { status: string; reason?: string }[] }>(url, '/api/v1/sync/push', { token, body: { records } })
  const refused = json.results?.filter((r) => r.status !== 'accepted')
  if (status !== 200 || refused?.length) throw new Error(`seed push as ${phone} failed: ${status} ${JSON.stringify(json)}`)
}

/** Returns the id of the item with news for 张秀英. */
export async function seedWalk(url: string): Promise<{ newsId: string }> {
  const now = Date.now()
  const env = (author: string, type: string, body: object, at = now) => ({ id: uuidv7(at), type, v: 1, orgPath: B01, authorId: author, deviceId: 'e2e-walk', clientTime: new Date(at).toISOString(), body })
  const newsId = uuidv7(now - 3 * DAY)
  await push(url, ZHANG.phone, [
    env(ZHANG.id, 'care.flag', { household: '1-2-1', kind: 'alone_elderly', intervalDays: 7, active: true }, now - 12 * DAY),
    env(ZHANG.id, 'care.flag', { household: '2-4-2', kind: 'disabled', intervalDays: 3, active: true, consent: { how: 'written', by: 'family', at: new Date(now - 4 * DAY).toISOString() } }, now - 3 * DAY),
    env(ZHANG.id, 'visit', { household: '1-1-1', outcome: 'met', purposes: [], note: '', visitedAt: new Date(now - DAY).toISOString() }, now - DAY),
    env(ZHANG.id, 'visit', { household: '1-3-2', outcome: 'nobody_home', purposes: [], note: '', visitedAt: new Date(now - DAY).toISOString() }, now - DAY),
    { ...env(ZHANG.id, 'feedback', { category: 'repair', description: '三楼楼道灯坏了,晚上看不清台阶', household: '1-3-1', urgency: 'normal', channel: 'visit', raisedAt: new Date(now - 3 * DAY).toISOString() }, now - 3 * DAY), id: newsId },
    env(ZHANG.id, 'feedback.event', { feedback: newsId, action: 'escalate', toLevel: 'group', text: '需要物业出面' }, now - 2 * DAY),
    env(ZHANG.id, 'feedback', { category: 'environment', description: '单元门口堆放杂物,影响老人通行', household: '2-1-2', urgency: 'normal', channel: 'visit', raisedAt: new Date(now - 2 * DAY).toISOString() }, now - 2 * DAY),
  ])
  await push(url, WANG.phone, [
    env(WANG.id, 'feedback.event', { feedback: newsId, action: 'resolve', atLevel: 'group', text: '物业已换新灯,住户确认可以了' }, now - DAY),
    env(WANG.id, 'feedback', { category: 'security', description: '楼顶水箱盖子松动,有安全隐患', urgency: 'urgent', channel: 'phone', raisedAt: new Date(now - DAY).toISOString() }, now - DAY),
  ])
  return { newsId }
}
