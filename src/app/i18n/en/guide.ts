export default {
  title: 'Getting started',
  firstTitle: 'New here? Three steps to get going',
  hint: 'The grid, a visit and sync: how the app works, in three steps.',
  again: 'Show the steps again',
  stepOf: 'Step {n} of {total}',
  steps: {
    grid: {
      title: 'The building grid',
      body: 'On Visits, every home in a building is a square, one row per floor. Its colour says whether the residents were met lately; the legend under the grid says what each colour means. In a tall building, use “Jump to floor” to go straight to a floor.',
    },
    visit: {
      title: 'Record a visit',
      body: 'Tap a home’s square, then tap how the visit went (for example “Met the resident”), and it is recorded. Add the purpose and a note if you need to. It works without a network: the record is saved on this device first.',
    },
    sync: {
      title: 'Sync',
      body: 'The dot and words at the top of the screen show how syncing is going. Records upload by themselves when you are online; to send them right away, go to Me and tap “Sync now”. Records not yet uploaded are never lost.',
    },
  },
  back: 'Back',
  next: 'Next',
  finish: 'Start',
  skip: 'Skip',
  later: 'You can see these steps again under Me.',
}
