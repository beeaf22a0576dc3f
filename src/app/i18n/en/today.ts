export default {
  title: 'Today',
  summary: { one: '{n} thing to do today', other: '{n} things to do today' },
  summaryNone: 'Nothing to do today',
  sections: {
    care: 'Care list: visits due',
    inbox: 'Feedback waiting for me',
    callback: 'Resolved, waiting for a call-back',
    news: 'New updates on feedback I raised',
  },
  empty: {
    care: 'No care visits due',
    inbox: 'No feedback waiting for me',
    callback: 'Nothing waiting for a call-back',
    news: 'No new updates',
  },
  care: {
    overdue: { one: '{n} day overdue', other: '{n} days overdue' },
    dueToday: 'Due today',
  },
  waiting: { one: 'Waiting {n} day', other: 'Waiting {n} days' },
  waitingToday: 'Arrived today',
  open: { care: 'Visit', inbox: 'Handle', callback: 'Call back', news: 'View' },
}
