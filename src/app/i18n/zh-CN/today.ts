export default {
  title: '今日',
  summary: { one: '今天要办 {n} 件事', other: '今天要办 {n} 件事' },
  summaryNone: '今天没有要办的事',
  sections: {
    care: '关爱对象：该走访了',
    inbox: '等我处理的意见',
    callback: '已解决，等回访',
    news: '我提交的意见有新进展',
  },
  empty: {
    care: '没有到期的关爱对象',
    inbox: '没有等我处理的意见',
    callback: '没有等回访的意见',
    news: '没有新进展',
  },
  care: {
    overdue: { one: '已逾期 {n} 天', other: '已逾期 {n} 天' },
    dueToday: '今天该去',
  },
  waiting: { one: '已等 {n} 天', other: '已等 {n} 天' },
  waitingToday: '今天到达',
  open: { care: '去走访', inbox: '去处理', callback: '去回访', news: '查看' },
}
