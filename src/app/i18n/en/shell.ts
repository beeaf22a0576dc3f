export default {
  tabs: {
    today: 'Today',
    visits: 'Visits',
    feedback: 'Feedback',
    volunteers: 'Volunteer',
    reading: 'Reading',
    me: 'Me',
  },
  nav: 'Main sections',
  update: {
    available: 'New version available',
    refresh: 'Refresh',
    later: 'Later',
    unsavedTitle: 'Something is not saved yet',
    unsavedMessage: 'What you are typing has not been saved. Refreshing now will lose it. Save it first?',
    keepEditing: 'Keep editing',
    refreshAnyway: 'Refresh anyway',
  },
  install: {
    button: 'Install on the home screen',
    hint: 'Once installed it opens from the home screen like any app, and works without a network.',
    iosHint: 'In Safari tap the Share button below → Add to Home Screen',
    installed: 'Installed on the home screen',
    // field: the same offer on a computer (no phone, no home screen)
    deskButton: 'Install as an app on this computer',
    deskHint: 'Once installed it opens from the Start menu or the Dock like any program, and works without a network.',
    deskInstalled: 'Installed as an app on this computer',
  },
  loadFailed: 'This page did not open. Check the network and try again',
}
