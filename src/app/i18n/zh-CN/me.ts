export default {
  title: '我的',
  role: '身份',
  scope: '负责范围',
  textSize: {
    title: '文字大小',
    standard: '标准',
    large: '大字',
    xlarge: '特大字',
    sample: '字',
  },
  language: {
    title: '语言',
    'zh-CN': '中文',
    en: 'English',
  },
  install: '安装',
  storage: {
    title: '本机存储',
    persisted: '记录会长期保存在这部手机上',
    notPersisted: '手机空间不足时,浏览器可能清理数据,请及时同步',
    used: '已用 {mb} MB',
  },
  logout: {
    button: '退出登录',
    refused: '还有 {n} 条记录未同步,请联网同步后再退出',
    confirmTitle: '退出登录?',
    confirmMessage: '退出后,这部手机上的记录和范围会被清除,下次需要重新登录。',
    confirm: '退出',
  },
}
