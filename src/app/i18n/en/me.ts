export default {
  title: 'Me',
  role: 'Role',
  scope: 'Area',
  textSize: {
    title: 'Text size',
    standard: 'Standard',
    large: 'Large',
    xlarge: 'Extra large',
    sample: 'Aa',
  },
  language: {
    title: 'Language',
    'zh-CN': '中文',
    en: 'English',
  },
  install: 'Install',
  storage: {
    title: 'Storage on this phone',
    persisted: 'Records are kept on this phone for good',
    notPersisted: 'If the phone runs low on space the browser may clear data; sync often',
    used: '{mb} MB used',
  },
  logout: {
    button: 'Log out',
    refused: '{n} records are still waiting to sync. Connect to the network and sync before logging out',
    confirmTitle: 'Log out?',
    confirmMessage: 'Logging out removes the records and area data from this phone. You will need to log in again next time.',
    confirm: 'Log out',
  },
}
