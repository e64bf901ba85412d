/** One HTTP/1.1 answer as the bench client checks it: its status and its body (decoded as UTF-8). */
export interface Response {
  readonly status: number
  readonly body: string
}

const HEAD_END = Buffer.from('\r\n\r\n')
const LINE_END = Buffer.from('\r\n')
/** A response head larger than this is no answer a bench server gives. */
const MAX_HEAD = 16 * 1024

/**
 * A `data` listener for one keep-alive socket: parses the answers in the bytes as they arrive (a
 * `Content-Length` body or a chunked one, no trailers) and calls `onResponse` for each, in order.
 * Anything it cannot parse is answered as status 0, so the run counts it as a failure.
 *
 * @example
 * socket.on('data', parseResponses(({ status, body }) => console.log(status, body)))
 */
export function parseResponses(onResponse: (response: Response) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    for (;;) {
      const parsed = parseOne(pending)
      if (parsed === undefined) return
      if (parsed === 'broken') {
        pending = Buffer.alloc(0)
        return onResponse({ status: 0, body: '' })
      }
      pending = pending.subarray(parsed.used)
      onResponse(parsed.response)
    }
  }
}

type Parsed = { readonly response: Response; readonly used: number } | 'broken' | undefined

/** The first complete answer at the start of `bytes`, `undefined` while it is incomplete. */
function parseOne(bytes: Buffer): Parsed {
  const headEnd = bytes.indexOf(HEAD_END)
  if (headEnd === -1) return bytes.length > MAX_HEAD ? 'broken' : undefined
  const head = bytes.toString('latin1', 0, headEnd).toLowerCase()
  const status = Number(head.slice(9, 12))
  const start = headEnd + HEAD_END.length
  const length = /\r\ncontent-length: *(\d+)/.exec(head)
  if (length) {
    const end = start + Number(length[1])
    if (bytes.length < end) return undefined
    return { response: { status, body: bytes.toString('utf8', start, end) }, used: end }
  }
  if (!/\r\ntransfer-encoding: *chunked/.test(head)) return 'broken'
  return parseChunked(bytes, start, status)
}

/** A chunked body from `start`: its chunks joined, once the last (empty) chunk has arrived. */
function parseChunked(bytes: Buffer, start: number, status: number): Parsed {
  const parts: Buffer[] = []
  let at = start
  for (;;) {
    const lineEnd = bytes.indexOf(LINE_END, at)
    if (lineEnd === -1) return undefined
    const size = Number.parseInt(bytes.toString('latin1', at, lineEnd), 16)
    if (!Number.isInteger(size) || size < 0) return 'broken'
    const dataStart = lineEnd + LINE_END.length
    const dataEnd = dataStart + size
    if (bytes.length < dataEnd + LINE_END.length) return undefined
    if (size === 0)
      return {
        response: { status, body: Buffer.concat(parts).toString('utf8') },
        used: dataEnd + LINE_END.length,
      }
    parts.push(bytes.subarray(dataStart, dataEnd))
    at = dataEnd + LINE_END.length
  }
}
