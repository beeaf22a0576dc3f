export default {
  appName: 'Loudong',
  save: 'Save',
  saved: 'Saved',
  cancel: 'Cancel',
  confirm: 'OK',
  closeSheet: 'Close',
  back: 'Back',
  loading: 'Loading…',
  // field: a label's colon before its value (Chinese full width, English with a space)
  colon: ': ',
  retry: 'Retry',
  count: '{n}/{max} characters',
  address: {
    building: 'Bldg {n}',
    full: '{building}, Unit {unit}, Room {room}',
    door: 'Unit {unit}, Room {room}',
    unit: 'Unit {n}',
  },
  draft: {
    restored: 'What you had not saved last time is back',
    offered: 'You have unsaved text from {when}. Restore it?',
    use: 'Restore',
    discard: 'Discard',
  },
}
