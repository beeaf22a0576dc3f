/**
 * The visit time field. `<input type="datetime-local">` speaks the phone's own
 * zone (the phones are in China), while records carry ISO instants.
 */
function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** An instant as the input's `YYYY-MM-DDTHH:mm` in the device's zone. */
export function toLocalInput(at: string | number): string {
  const d = new Date(at)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The input's value back to an ISO instant; an empty or broken value gives '' (the schema then refuses it). */
export function fromLocalInput(value: string): string {
  const t = new Date(value).getTime()
  return value && !Number.isNaN(t) ? new Date(t).toISOString() : ''
}
