export default {
  title: '读报点',
  coming: '读报活动的签到和记录功能正在开发,很快就能在这里使用。',
  pointsTitle: '您范围内的读报点',
  none: '您的范围内还没有读报点',
  place: '地点',
  usualTime: '通常时间',
}
