export default {
  title: '登录',
  welcome: '欢迎使用楼栋通',
  tagline: '入户走访、居民意见、读报点，一部手机记下来',
  phone: '手机号',
  phonePlaceholder: '请输入 11 位手机号',
  password: '密码',
  passwordPlaceholder: '请输入密码',
  submit: '登录',
  submitting: '正在登录…',
  offlineNote: '登录一次后，没有网络也能打开使用',
  relogin: '登录已过期，请重新输入密码。手机上的记录都还在，登录后会继续上传。',
  demo: {
    title: '演示数据',
    body: '这里的账号和居民都是虚构的，请勿录入真实居民信息。',
  },
  errors: {
    phone: '手机号应为 11 位数字，请检查',
    password: '请输入密码',
    offline: '网络未连接，请联网后登录',
    server: '服务器暂时无法登录，请稍后再试',
    // field: whom to ask, after the server's wrong-password words
    otherUser: { one: '这部手机上还有 {n} 条 {name} 的记录未同步，请先用该账号登录并同步', other: '这部手机上还有 {n} 条 {name} 的记录未同步，请先用该账号登录并同步' },
    otherUserRunning: '{name} 在这部手机上还有一场读报活动正在进行，请先用该账号登录并结束活动',
  },
}
