export default {
  title: '居民意见',
  coming: '居民意见的记录、上报和处理功能正在开发,很快就能在这里使用。',
  scopeTitle: '您负责的范围',
  buildings: '楼栋',
}
