/** Refused records (the quarantine): community staff's read-only screen. */
export default {
  title: 'Refused records',
  entry: 'Refused records',
  entryHint: 'Records from accounts in your area that the server did not accept; kept for 90 days',
  open: 'View',
  intro: 'These are records from accounts in your area that the server did not accept, newest first, kept for 90 days. The person who made one can mend it on their phone and upload it again, or hand it over to the community.',
  empty: 'No refused records',
  author: 'Recorded by',
  who: '{name} ({role})',
  unknownAuthor: 'Unknown account',
  place: 'Place',
  why: 'Why it was not accepted',
  received: 'What was received',
  unreadable: 'Unrecognised record',
  offline: 'Connect to the internet to see this',
  failed: 'Could not load this; please try again later',
}
