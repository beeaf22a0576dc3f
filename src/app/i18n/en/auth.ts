export default {
  title: 'Log in',
  welcome: 'Welcome to Loudong',
  tagline: 'Door-to-door visits, resident feedback and reading points, noted on one phone',
  phone: 'Phone number',
  phonePlaceholder: '11-digit phone number',
  password: 'Password',
  passwordPlaceholder: 'Your password',
  submit: 'Log in',
  submitting: 'Logging in…',
  offlineNote: 'After logging in once, the app opens even without a network',
  relogin: 'Your login has expired. Please enter your password again. Your records are still on this phone and will be uploaded after you log in.',
  demo: {
    title: 'Demo data',
    body: 'The accounts and residents here are made up; do not enter real residents.',
  },
  errors: {
    phone: 'The phone number should be 11 digits. Please check it',
    password: 'Please enter your password',
    offline: 'No network connection. Please connect and then log in',
    server: 'The server cannot log you in right now. Please try again later',
    // field: whom to ask, after the server's wrong-password words
    otherUser: { one: 'This phone still has {n} record by {name} waiting to sync. Log in with that account and sync first', other: 'This phone still has {n} records by {name} waiting to sync. Log in with that account and sync first' },
    otherUserRunning: '{name} still has a reading session in progress on this phone. Log in with that account and end the session first',
  },
}
