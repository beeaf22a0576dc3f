export default {
  tabs: {
    today: '今日',
    visits: '走访',
    feedback: '意见',
    reading: '读报',
    volunteers: '志愿',
    me: '我的',
  },
  nav: '主要栏目',
  update: {
    available: '新版本可用',
    refresh: '刷新',
    later: '以后再说',
    unsavedTitle: '还有没保存的内容',
    unsavedMessage: '您正在填写的内容还没有保存，现在刷新会丢失。要先保存吗？',
    keepEditing: '继续填写',
    refreshAnyway: '仍然刷新',
  },
  install: {
    button: '安装到手机桌面',
    hint: '安装后可以像普通应用一样从桌面打开，没有网络也能用。',
    iosHint: '在 Safari 中点击下方的分享按钮 → 添加到主屏幕',
    installed: '已安装到桌面',
    // field: the same offer on a computer (no phone, no home screen)
    deskButton: '安装为电脑上的应用',
    deskHint: '安装后可以从开始菜单或程序坞直接打开，没有网络也能用。',
    deskInstalled: '已安装为电脑上的应用',
  },
  loadFailed: '页面没有打开，请检查网络后重试',
}
