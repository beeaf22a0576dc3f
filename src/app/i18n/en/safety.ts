export default {
  dismiss: 'Got it',
  clock: {
    title: "The phone's clock is wrong",
    ahead: 'This phone is {amount} ahead of Beijing time.',
    behind: 'This phone is {amount} behind Beijing time.',
    body: 'Records are still saved with the right time. In the phone\'s Settings → Date & time, turn on "Set time automatically".',
  },
  banners: {
    wechat: {
      title: 'Please open this in your browser',
      body: "Pages opened inside WeChat do not work without a network, and records may be cleared. Tap ··· at the top right → Open in browser, then add it to your home screen.",
    },
    iosSafari: {
      title: 'Please add this to your home screen',
      body: 'Opened straight in Safari, records on this phone may be cleared after 7 days without a visit. Tap the Share button below → Add to Home Screen, and open it from that icon from now on.',
    },
    private: {
      title: 'This window will not keep records for long',
      body: 'This looks like a private (incognito) window: unsynced records are lost when it closes. Please open a normal window and sync whenever you have a network.',
    },
  },
  storageFull: {
    message: 'The phone is out of storage, so this record was not saved. What you typed is still here: export the unsynced records from Me, or free some space, then tap Save again.',
    notice: 'The phone is out of storage and new records cannot be saved. Export the unsynced records first, then free some space.',
    export: 'Export',
  },
  databaseLost: 'The database on this phone could not be opened, so this record was not saved. What you typed is still here: tap Save again in a moment; if it keeps failing, reload the page.',
  reload: {
    versionchange: 'The app was updated in another window. Reload this one to keep saving records.',
    blocked: 'The app needs to update. Close the other windows with Loudong open, or tap Reload.',
    button: 'Reload',
  },
  chunkFailed: 'The page did not open. Check the network and try again.',
  disabled: {
    title: 'This account has been disabled',
    message: 'Your community disabled this account (for example because the phone was lost), and the records on this phone have been removed. Ask your community staff if you have questions.',
    ok: 'OK',
  },
}
