/**
 * Hands a file to the person: the share sheet where the browser can share
 * files (Android Chrome, iOS Safari: send it through WeChat or save it to
 * Files), otherwise an ordinary download.
 */
export type Delivered = 'shared' | 'downloaded' | 'cancelled'

interface ShareNavigator {
  canShare?: (data: { files: File[] }) => boolean
  share?: (data: { files: File[]; title?: string }) => Promise<void>
}

/** The file name a server answer gives in Content-Disposition (`filename*=UTF-8''…`, decoded), else `fallback`. */
export function fileNameOf(res: Response, fallback: string): string {
  const disposition = res.headers.get('content-disposition') ?? ''
  return decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? fallback)
}

/** Hands `blob` to the browser's download as `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // revoked later: some browsers read the URL after click() returns
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export async function deliverFile(text: string, name: string): Promise<Delivered> {
  const blob = new Blob([text], { type: 'application/json' })
  const nav = navigator as Navigator & ShareNavigator
  const file = typeof File === 'function' ? new File([blob], name, { type: 'application/json' }) : null
  if (file && nav.share && nav.canShare?.({ files: [file] })) {
    try {
      await nav.share({ files: [file], title: name })
      return 'shared'
    } catch (e) {
      if ((e as { name?: string }).name === 'AbortError') return 'cancelled'
      // sharing refused for another reason: fall back to a download
    }
  }
  download(blob, name)
  return 'downloaded'
}
