import { describe, expect, it } from 'vitest'
import { pinning, pinningText, SERVER_FLAGS, serverCommand } from '../src/pinning.js'

describe('pinning', () => {
  it('pins the bench and the servers to different CPUs, or pins nothing (Linux with taskset only)', () => {
    const pin = pinning()
    if (process.platform !== 'linux') expect(pin).toBeUndefined()
    if (pin) expect(pin.bench).not.toBe(pin.servers)
    expect(pinningText()).toMatch(pin ? /CPU 0.*CPU 1/ : /not pinned/)
  })

  it('starts every server with the same V8 flags, under taskset when pinning', () => {
    const [command, args] = serverCommand(['--cpu-prof'], 'server-child.js', ['Yoga bare'])
    const node = [...SERVER_FLAGS, '--cpu-prof', 'server-child.js', 'Yoga bare']
    const pin = pinning()
    if (pin) {
      expect(command).toBe('taskset')
      expect(args).toEqual(['-c', pin.servers, process.execPath, ...node])
    } else expect([command, args]).toEqual([process.execPath, node])
    expect(SERVER_FLAGS).toContain('--expose-gc')
  })
})
