export default {
  title: 'Resident feedback',
  coming: 'Recording, escalating and resolving resident feedback is being built and will be here soon.',
  scopeTitle: 'Your area',
  buildings: 'Buildings',
}
