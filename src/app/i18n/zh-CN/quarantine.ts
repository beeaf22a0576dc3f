/** 被拒收的记录 (quarantine): community staff's read-only screen. */
export default {
  title: '被拒收的记录',
  entry: '被拒收的记录',
  entryHint: '本辖区账号上传时服务器没有收下的记录，保留 90 天',
  open: '查看',
  intro: '下面是本辖区账号上传时服务器没有收下的记录，最新的在前，保留 90 天。记录人能在自己手机上修改后重新上传，或交给社区处理。',
  empty: '没有被拒收的记录',
  author: '记录人',
  who: '{name}（{role}）',
  unknownAuthor: '未知账号',
  place: '位置',
  why: '没有收下的原因',
  received: '收到的内容',
  unreadable: '无法识别的记录',
  offline: '需要联网才能查看',
  failed: '没有读取成功，请稍后再试',
}
