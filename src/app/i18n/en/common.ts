export default {
  appName: 'Loudong',
  save: 'Save',
  saved: 'Saved',
  cancel: 'Cancel',
  confirm: 'OK',
  back: 'Back',
  loading: 'Loading…',
  retry: 'Retry',
}
