export default {
  appName: '楼栋通',
  save: '保存',
  saved: '已保存',
  cancel: '取消',
  confirm: '确定',
  closeSheet: '关闭',
  back: '返回',
  loading: '加载中…',
  // field: a label's colon before its value (Chinese full width, English with a space)
  colon: '：',
  retry: '重试',
  count: '{n}/{max} 字',
  address: {
    building: '{n}栋',
    full: '{building} {unit}单元 {room}',
    door: '{unit}单元 {room}',
    unit: '{n}单元',
  },
  draft: {
    restored: '已恢复上次未保存的内容',
    offered: '有 {when} 未保存的内容，要恢复吗？',
    use: '恢复',
    discard: '丢弃',
  },
}
