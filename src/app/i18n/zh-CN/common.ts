export default {
  appName: '楼栋通',
  save: '保存',
  saved: '已保存',
  cancel: '取消',
  confirm: '确定',
  back: '返回',
  loading: '加载中…',
  retry: '重试',
}
