#!/usr/bin/env node
// Draws the app icons (a white house on the brand blue) and writes them to
// public/. Pure Node so it runs anywhere without image tooling; the output is
// committed, so this only needs re-running when the drawing changes.
//   node scripts/make-icons.mjs
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const BLUE = [0x16, 0x77, 0xd2]
const WHITE = [0xff, 0xff, 0xff]
const SAMPLES = 4 // per axis; 16 samples a pixel gives smooth edges at every size

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** RGBA pixels → PNG (8-bit, colour type 6, no row filters). */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function inRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}

const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1

/** The house in a unit square: roof, body, two windows and a door cut out in blue. */
function houseAt(x, y) {
  const roof = y >= 0.18 && y <= 0.47 && Math.abs(x - 0.5) <= ((y - 0.18) / 0.29) * 0.34
  const chimney = inRect(x, y, 0.64, 0.2, 0.71, 0.36)
  const body = inRect(x, y, 0.25, 0.44, 0.75, 0.8)
  if (!(roof || chimney || body)) return false
  const window1 = inRoundedRect(x, y, 0.31, 0.52, 0.44, 0.63, 0.015)
  const window2 = inRoundedRect(x, y, 0.56, 0.52, 0.69, 0.63, 0.015)
  const door = inRoundedRect(x, y, 0.44, 0.67, 0.56, 0.85, 0.015) && y <= 0.8
  return !(window1 || window2 || door)
}

/**
 * kind 'any': rounded blue square with transparent corners.
 * kind 'full': blue to every edge (iOS and maskable icons are cropped by the OS).
 * `scale` shrinks the house towards the centre so it survives a maskable crop.
 */
function draw(size, { kind, scale = 1 }) {
  const px = Buffer.alloc(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let bg = 0
      let fg = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = (pxi + (sx + 0.5) / SAMPLES) / size
          const y = (py + (sy + 0.5) / SAMPLES) / size
          const inBg = kind === 'full' || inRoundedRect(x, y, 0, 0, 1, 1, 0.22)
          if (!inBg) continue
          bg++
          if (houseAt(0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale)) fg++
        }
      }
      const n = SAMPLES * SAMPLES
      const i = (py * size + pxi) * 4
      const f = bg ? fg / bg : 0
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(BLUE[c] * (1 - f) + WHITE[c] * f)
      px[i + 3] = Math.round((bg / n) * 255)
    }
  }
  return encodePng(size, px)
}

/** An .ico holding PNG images (supported by every browser that matters). */
function encodeIco(pngs) {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(pngs.length, 4)
  let offset = 6 + 16 * pngs.length
  const entries = pngs.map(({ size, data }) => {
    const e = Buffer.alloc(16)
    e[0] = size >= 256 ? 0 : size
    e[1] = size >= 256 ? 0 : size
    e.writeUInt16LE(1, 4)
    e.writeUInt16LE(32, 6)
    e.writeUInt32LE(data.length, 8)
    e.writeUInt32LE(offset, 12)
    offset += data.length
    return e
  })
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.data)])
}

const root = join(import.meta.dirname, '..', 'public')
mkdirSync(join(root, 'icons'), { recursive: true })
const files = {
  'icons/icon-192.png': draw(192, { kind: 'any' }),
  'icons/icon-512.png': draw(512, { kind: 'any' }),
  // the maskable safe zone is a centred circle of 80% diameter
  'icons/maskable-512.png': draw(512, { kind: 'full', scale: 0.78 }),
  'icons/apple-touch-icon-180.png': draw(180, { kind: 'full', scale: 0.9 }),
  'favicon.ico': encodeIco([16, 32, 48].map((size) => ({ size, data: draw(size, { kind: 'any' }) }))),
}
for (const [name, data] of Object.entries(files)) {
  writeFileSync(join(root, name), data)
  console.log(`${name}  ${data.length} bytes`)
}
