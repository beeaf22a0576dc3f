export default {
  title: 'Reading points',
  coming: 'Recording reading sessions and attendance is being built and will be here soon.',
  pointsTitle: 'Reading points in your area',
  none: 'There are no reading points in your area yet',
  place: 'Place',
  usualTime: 'Usual time',
}
